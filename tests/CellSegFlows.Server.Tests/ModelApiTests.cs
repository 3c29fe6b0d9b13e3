using System.Net;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Server.Auth;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Tests;

public sealed class ModelApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    [Fact]
    public async Task Everyone_reads_the_registry_and_only_operators_change_a_champion_with_a_reason_that_is_audited()
    {
        var registry = new ModelRegistry(S.Engine.Store);
        var artifact = new ArtifactRef(new string('e', 64), "unet.cellseg", 10);
        await registry.RegisterAsync(new ModelVersionSpec("api-unet", artifact) { By = "run:r1", RunId = "r1", StepId = "r1/gate", DataJson = """{"source":"a.json"}""", MetricsJson = """{"F1":0.8}""" });
        await registry.DecideAsync(new ChallengeSpec("api-unet", 1, new PromotionRule("F1", 0, true), 0.8, null, null) { By = "run:r1", RunId = "r1" });
        await registry.RegisterAsync(new ModelVersionSpec("api-unet", artifact with { Hash = new string('f', 64) }) { By = "run:r2", RunId = "r2", StepId = "r2/gate" });

        using var viewer = await S.LoginAsync(Roles.Viewer);
        var list = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/models"))).AsArray();
        var listed = list.Single(m => m!["name"].Str() == "api-unet")!;
        Assert.Equal(1, listed["champion"]!.GetValue<int>());
        Assert.Equal(2, listed["versions"]!.GetValue<int>());
        var detail = await TestServer.ReadJsonAsync(await viewer.GetAsync("api/models/api-unet"));
        Assert.Equal([2, 1], detail["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.True(detail["versions"]![1]!["champion"]!.GetValue<bool>());
        Assert.Equal("a.json", detail["versions"]![1]!["data"]!["source"].Str());
        Assert.Equal(0.8, detail["versions"]![1]!["metrics"]!["F1"]!.GetValue<double>());
        Assert.Equal("Promoted", detail["decisions"]![0]!["decision"].Str());
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("api/models/nope")).StatusCode);

        // Viewers and editors may not change it; an operator may, with a reason.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("api/models/api-unet/champion", TestServer.Json("""{ "version": 2, "reason": "try" }"""))).StatusCode);
        using var editor = await S.LoginAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsync("api/models/api-unet/champion", TestServer.Json("""{ "version": 2, "reason": "try" }"""))).StatusCode);
        using var op = await S.LoginAsync(Roles.Operator);
        var noReason = await op.PostAsync("api/models/api-unet/champion", TestServer.Json("""{ "version": 2, "reason": "" }"""));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var noVersion = await op.PostAsync("api/models/api-unet/champion", TestServer.Json("""{ "version": 9, "reason": "x" }"""));
        Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        Assert.Contains("has no version 9", await noVersion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync("api/models/nope/champion", TestServer.Json("""{ "version": 1, "reason": "x" }"""))).StatusCode);

        var changed = await TestServer.ReadJsonAsync(await op.PostAsync("api/models/api-unet/champion", TestServer.Json("""{ "version": 2, "reason": "v1 misses small cells" }""")));
        Assert.Equal(2, changed["model"]!["champion"]!.GetValue<int>());
        Assert.Equal("Manual", changed["decisions"]![0]!["decision"].Str());
        await using var db = S.Engine.Store.CreateContext();
        var entry = await db.Audit.AsNoTracking().Where(a => a.Action == "model.set-champion" && a.Target == "model://api-unet@2").SingleAsync();
        Assert.Contains(Roles.Operator, entry.Actor, StringComparison.Ordinal);
        Assert.Contains("v1 misses small cells", entry.Detail, StringComparison.Ordinal);
    }
}
