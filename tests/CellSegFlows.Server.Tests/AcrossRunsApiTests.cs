using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>Across runs: a metric over the runs of a workflow with the champion marked, and an artifact's lineage.</summary>
public sealed class AcrossRunsApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    internal const string Training = """
        {
          "id": "ID",
          "parameters": { "steps": { "type": "int", "default": 2 } },
          "nodes": [
            { "id": "train", "activity": "test.Train", "inputs": { "steps": "${params.steps}", "delayMs": 1 }, "cache": false },
            { "id": "read", "activity": "test.ReadText", "inputs": { "file": "${nodes.train.log}" } }
          ],
          "outputs": { "loss": "${nodes.train.finalLoss}", "log": "${nodes.read.text}" }
        }
        """;

    /// <summary>
    /// Three runs (2, 3 and 4 training steps, plus <paramref name="more"/>: a different count gives a different log, so
    /// tests sharing a store do not share artifacts); the second one's log is registered and made champion.
    /// </summary>
    internal static async Task<List<string>> ThreeRunsWithAChampionAsync(TestServer server, string workflow, string model, int more = 0)
    {
        await server.SaveAsync(Training.Replace("ID", workflow, StringComparison.Ordinal));
        using var op = await server.LoginAsync(Roles.Operator);
        var runs = new List<string>();
        foreach (var steps in new[] { 2 + more, 3 + more, 4 + more })
        {
            var started = await op.PostAsJsonAsync("api/runs", new { workflowId = workflow, parameters = new { steps } });
            var runId = (await TestServer.ReadJsonAsync(started))["runId"].Str();
            Assert.Equal("Succeeded", (await server.WaitForRunAsync(op, runId))["run"]!["status"].Str());
            runs.Add(runId);
        }

        var detail = await server.Engine.Runs.DetailAsync(runs[1]);
        var log = detail.Artifacts.Single(a => a.Name == "train-log.txt");
        var registry = new ModelRegistry(server.Engine.Store);
        await registry.RegisterAsync(new ModelVersionSpec(model, new ArtifactRef(log.Hash, log.Name, log.Size)) { By = "test", RunId = runs[1], StepId = log.StepId });
        await registry.DecideAsync(new ChallengeSpec(model, 1, new PromotionRule("dice", 0, true), 0.9, null, null) { By = "test", RunId = runs[1] });
        return runs;
    }

    [Fact]
    public async Task A_metric_over_runs_has_one_point_per_run_oldest_first_with_the_champion_marked()
    {
        var runs = await ThreeRunsWithAChampionAsync(S, "across-train", "across-model");
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var names = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/workflows/across-train/metric-names"))).AsArray();
        Assert.Equal(["dice", "loss"], names.Select(n => n!["name"].Str()));
        Assert.All(names, n => Assert.Equal(3, n!["runs"]!.GetValue<int>()));

        var series = await TestServer.ReadJsonAsync(await viewer.GetAsync("api/workflows/across-train/metrics?name=dice"));
        var points = series["points"]!.AsArray();
        Assert.Equal(runs, points.Select(p => p!["runId"].Str()));
        Assert.Equal(new[] { 2, 3, 4 }.Select(n => 1 - Math.Pow(0.8, n) / 2), points.Select(p => p!["value"]!.GetValue<double>()), new Tolerance(1e-9));
        Assert.Equal([2, 3, 4], points.Select(p => p!["reports"]!.GetValue<int>()));
        Assert.Equal(["across-model v1"], points[1]!["champions"]!.AsArray().Select(c => c.Str()));
        Assert.Empty(points[0]!["champions"]!.AsArray());
        Assert.Equal($"{runs[0]}/train", points[0]!["stepId"].Str());

        // Loss falls during a run: its maximum is the first report (0.8), its last value the lowest.
        var max = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/workflows/across-train/metrics?name=loss&aggregate=max")))["points"]!.AsArray();
        Assert.All(max, p => Assert.Equal(0.8, p!["value"]!.GetValue<double>(), 9));
        var newest = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/workflows/across-train/metrics?name=loss&limit=2")))["points"]!.AsArray();
        Assert.Equal(runs[1..], newest.Select(p => p!["runId"].Str()));

        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("api/workflows/across-train/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("api/workflows/across-train/metrics?name=dice&aggregate=median")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("api/workflows/across-train/metrics?name=dice&limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("api/workflows/no-such-flow/metrics?name=dice")).StatusCode);
        Assert.Empty((await TestServer.ReadJsonAsync(await viewer.GetAsync("api/workflows/across-train/metrics?name=nothing")))["points"]!.AsArray());
    }

    [Fact]
    public async Task An_artifacts_lineage_names_its_producer_its_inputs_its_consumers_and_its_model_versions()
    {
        var runs = await ThreeRunsWithAChampionAsync(S, "across-lineage", "lineage-model", more: 10);
        var detail = await S.Engine.Runs.DetailAsync(runs[1]);
        var log = detail.Artifacts.Single(a => a.Name == "train-log.txt");
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var lineage = await TestServer.ReadJsonAsync(await viewer.GetAsync($"api/artifacts/{log.Hash}/lineage"));
        Assert.Equal("train-log.txt", lineage["name"].Str());
        var producer = Assert.Single(lineage["producers"]!.AsArray())!;
        Assert.Equal(runs[1], producer["runId"].Str());
        Assert.Equal("train", producer["nodeId"].Str());
        Assert.Equal("test.Train", producer["activity"].Str());
        Assert.Equal("across-lineage", producer["workflowId"].Str());
        Assert.Empty(lineage["inputs"]!.AsArray());
        var consumer = Assert.Single(lineage["consumers"]!.AsArray())!;
        Assert.Equal($"{runs[1]}/read", consumer["stepId"].Str());
        Assert.Equal(["lineage-model v1"], lineage["modelVersions"]!.AsArray().Select(m => m.Str()));

        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("api/artifacts/not-a-hash/lineage")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"api/artifacts/{new string('0', 64)}/lineage")).StatusCode);
    }

    [Fact]
    public async Task A_lineage_lists_the_artifacts_among_the_producers_inputs()
    {
        // The sample's annotations feed each segment step, whose predictions are then the artifact asked about.
        await S.SaveAsync("""
            {
              "id": "across-segment",
              "nodes": [
                { "id": "sample", "activity": "MakeSampleDataset", "inputs": { "imagesPerCellType": 1, "seed": 1, "width": 64, "height": 48 } },
                { "id": "segment", "activity": "SegmentImageClassical", "map": { "over": "${nodes.sample.images}", "as": "image" },
                  "inputs": { "image": "${image}", "annotations": "${nodes.sample.annotations}" } }
              ]
            }
            """);
        using var op = await S.LoginAsync(Roles.Operator);
        var runId = (await TestServer.ReadJsonAsync(await op.PostAsJsonAsync("api/runs", new { workflowId = "across-segment" })))["runId"].Str();
        Assert.Equal("Succeeded", (await S.WaitForRunAsync(op, runId))["run"]!["status"].Str());
        var detail = await S.Engine.Runs.DetailAsync(runId);
        var predictions = detail.Artifacts.First(a => a.StepId == $"{runId}/segment[0]");
        var lineage = await TestServer.ReadJsonAsync(await op.GetAsync($"api/artifacts/{predictions.Hash}/lineage"));
        var inputs = lineage["inputs"]!.AsArray().Select(i => i!["input"].Str()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["annotations", "image"], inputs);

        // The annotations were made once and used by every segment step.
        var annotations = lineage["inputs"]!.AsArray().Single(i => i!["input"].Str() == "annotations")!["hash"].Str();
        var used = await TestServer.ReadJsonAsync(await op.GetAsync($"api/artifacts/{annotations}/lineage"));
        Assert.Equal("sample", Assert.Single(used["producers"]!.AsArray())!["nodeId"].Str());
        Assert.Equal(detail.Steps.Count(s => s.NodeId == "segment"), used["consumers"]!.AsArray().Count);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}
