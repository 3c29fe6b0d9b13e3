using System.Text.Json;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Triggers;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Server.Api;

/// <summary>Turns the engine's typed errors into problem details that say what is wrong; anything else is a 500 without internals.</summary>
internal sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            WorkflowDefinitionException d => ProblemResponses.DefinitionProblems(d.SourceName, d.Problems),
            TriggerDefinitionException t => ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, "Invalid trigger", t.Message),
            UserAdminException u => ProblemResponses.Problem(StatusCodes.Status400BadRequest, "Invalid user change", u.Message),
            EngineException e when e.Message.StartsWith("no run ", StringComparison.Ordinal) => ProblemResponses.Problem(StatusCodes.Status404NotFound, "No such run", e.Message),
            EngineException e => ProblemResponses.Problem(StatusCodes.Status400BadRequest, "Refused by the engine", e.Message),
            BadHttpRequestException b => ProblemResponses.Problem(b.StatusCode, "Bad request", b.InnerException is JsonException j ? j.Message : b.Message),
            JsonException j => ProblemResponses.Problem(StatusCodes.Status400BadRequest, "Malformed JSON", j.Message),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };
        if (result is null)
        {
            if (httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            logger.LogError(exception, "unhandled error on {Path}", httpContext.Request.Path);
            result = ProblemResponses.Problem(StatusCodes.Status500InternalServerError, "Server error", "The server failed; its log has the details.");
        }

        await result.ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }
}
