using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// The version of a definition that the engine keys runs and cached steps on: the lowercase hex SHA-256 of a
/// canonical JSON form (keys sorted ordinally, no insignificant whitespace, numbers as written). Reformatting,
/// reordering keys or editing comments keeps the hash; any change of content changes it.
/// </summary>
/// <remarks>
/// The two overloads hash different texts. <see cref="Compute(string)"/> hashes the document as written
/// (a <c>$schema</c> line, an explicit <c>"cache": true</c> or <c>"60s"</c> versus <c>"1m"</c> all count).
/// <see cref="Compute(WorkflowDefinition)"/> hashes the definition's normal form from
/// <see cref="WorkflowDefinitionWriter"/>, so two files that read to the same definition share it; use this one
/// to identify what a run executed. For a file already in normal form (no <c>$schema</c>, defaults left out,
/// durations as the writer formats them) the two agree.
/// </remarks>
public static class DefinitionHash
{
    /// <summary>Hash of the definition's normal form.</summary>
    public static string Compute(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using var document = JsonDocument.Parse(WorkflowDefinitionWriter.ToJson(definition, indented: false));
        return Hash(CanonicalJson.Write(document.RootElement));
    }

    /// <summary>Hash of JSON text as written (comments and trailing commas allowed, as in definition files).</summary>
    /// <exception cref="WorkflowDefinitionException">The text is not JSON.</exception>
    public static string Compute(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = WorkflowDefinitionReader.ParseDocument(json, "JSON text");
        return Hash(CanonicalJson.Write(document.RootElement));
    }

    private static string Hash(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
}
