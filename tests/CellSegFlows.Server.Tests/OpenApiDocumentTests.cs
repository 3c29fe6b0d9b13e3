using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSegFlows.Server.Tests;

/// <summary>
/// The studio's API types are generated from src/CellSegFlows.Studio/openapi.json (openapi-typescript, at the studio's
/// build), so that file must be what the server describes: these tests start the real server and compare.
/// </summary>
public sealed class OpenApiDocumentTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>Set to 1 to rewrite the committed document from the running server instead of failing.</summary>
    private const string UpdateVariable = "CELLSEGFLOWS_UPDATE_OPENAPI";

    private static string CommittedPath => Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "openapi.json");

    private TestServer S => fixture.Server;

    [Fact]
    public async Task Committed_openapi_document_is_what_the_server_describes()
    {
        var served = await ServedDocumentAsync();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, served);
            return;
        }

        var committed = File.Exists(CommittedPath) ? (await File.ReadAllTextAsync(CommittedPath)).ReplaceLineEndings("\n") : "(missing)";
        if (committed != served)
        {
            var (line, expected, actual) = FirstDifference(committed, served);
            Assert.Fail($"src/CellSegFlows.Studio/openapi.json is not what the server describes (first difference at line {line}: committed '{expected}', served '{actual}'). " +
                $"Regenerate it with: {UpdateVariable}=1 dotnet test -c Release tests/CellSegFlows.Server.Tests --filter FullyQualifiedName~OpenApiDocumentTests " +
                "and rebuild the studio (its API types are generated from that file).");
        }
    }

    [Fact]
    public async Task Every_json_answer_of_the_api_has_a_response_schema()
    {
        var doc = JsonNode.Parse(await ServedDocumentAsync())!;
        var missing = new List<string>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                foreach (var (status, response) in operation!["responses"]!.AsObject())
                {
                    // Downloads (an artifact's bytes, a workflow file) are files, not answers with a shape.
                    if (!status.StartsWith('2') || status == "204" || path is "/api/artifacts/{hash}" or "/api/workflows/{id}/export")
                    {
                        continue;
                    }

                    var content = response!["content"]?.AsObject();
                    if (content is null || content.Count == 0)
                    {
                        missing.Add($"{method.ToUpperInvariant()} {path} {status}: no content");
                        continue;
                    }

                    foreach (var (type, media) in content)
                    {
                        if (media?["schema"] is null)
                        {
                            missing.Add($"{method.ToUpperInvariant()} {path} {status} {type}: no schema");
                        }
                    }
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public async Task The_document_names_the_run_stream_events_and_no_store_entity()
    {
        var doc = JsonNode.Parse(await ServedDocumentAsync())!;
        var schemas = doc["components"]!["schemas"]!.AsObject().Select(s => s.Key).ToList();
        foreach (var name in new[] { "RunDto", "StepDto", "RunNodeDto", "StepEventDto", "ArtifactDto", "MetricDto", "RunSnapshotDto", "RunDetailDto", "RunEndDto", "RunStreamEvents", "AuditEntryDto", "TriggerFiringDto" })
        {
            Assert.Contains(name, schemas);
        }

        Assert.DoesNotContain(schemas, s => s.EndsWith("Record", StringComparison.Ordinal));
        var stream = doc["paths"]!["/api/runs/{id}/stream"]!["get"]!["responses"]!["200"]!["content"]!["text/event-stream"]!["schema"]!;
        Assert.Equal("#/components/schemas/RunStreamEvents", stream["$ref"].Str());
    }

    /// <summary>The served document, indented, without its <c>servers</c> (the test server's random port).</summary>
    private async Task<string> ServedDocumentAsync()
    {
        using var anonymous = S.Anonymous();
        var doc = JsonNode.Parse(await anonymous.GetStringAsync("openapi/v1.json"))!.AsObject();
        doc.Remove("servers");
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
    }

    private static (int Line, string Expected, string Actual) FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "(end)";
            var y = i < b.Length ? b[i] : "(end)";
            if (x != y)
            {
                return (i + 1, x.Trim(), y.Trim());
            }
        }

        return (0, string.Empty, string.Empty);
    }
}
