using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CellSegFlows.Server.Api;

/// <summary>
/// The web JSON defaults read numbers from strings too, so the generated schemas say <c>integer | string</c> with a
/// pattern. The server always writes numbers as JSON numbers, and the studio's types are generated from this document:
/// it describes numbers as numbers (reading "5" for 5 still works; it is simply not advertised).
/// </summary>
internal static class OpenApiNumbers
{
    public static Task WriteNumbersAsNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
