using CellSegFlows.Engine.Definitions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace CellSegFlows.Server.Api;

/// <summary>One problem of a definition as the API lists it (the studio puts it on the node).</summary>
public sealed record ProblemItem(string? NodeId, string Field, string Message, int? Line, int? Column);

/// <summary>RFC 9457 problem details, the one shape of every error answer.</summary>
internal static class ProblemResponses
{
    public static ProblemHttpResult Problem(int status, string title, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);

    /// <summary>422 with every problem of a definition (or of the parameters) under <c>errors</c>.</summary>
    public static ProblemHttpResult DefinitionProblems(string source, IReadOnlyList<DefinitionProblem> problems) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: $"The workflow definition has {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}",
            detail: string.Join("\n", problems.Select(p => p.ToString())),
            extensions: new Dictionary<string, object?> { ["source"] = source, ["errors"] = Items(problems) });

    public static IReadOnlyList<ProblemItem> Items(IEnumerable<DefinitionProblem> problems) =>
        problems.Select(p => new ProblemItem(p.NodeId, p.Field, p.Message, p.Line, p.Column)).ToList();

    /// <summary>Writes a problem from middleware (authentication events), where there is no endpoint result.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }
}
