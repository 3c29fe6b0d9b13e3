using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using CellSegFlows.Engine.TestHost;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Tests.Registry;

/// <summary>The model registry on a real SQLite run store: versions, the champion/challenger gate, manual changes and the audit log.</summary>
public sealed class ModelRegistryTests
{
    private static async Task<ModelRegistry> NewRegistryAsync()
    {
        var store = RunStoreOptions.Sqlite(Path.Combine(TestPaths.NewTempFolder(), "runs.db"));
        await store.MigrateAsync();
        return new ModelRegistry(store);
    }

    private static ArtifactRef Artifact(char c) => new(new string(c, 64), $"model-{c}.cellseg", 100);

    private static readonly PromotionRule F1Rule = new("F1", 0.01, HigherIsBetter: true);

    [Fact]
    public async Task The_first_challenger_is_promoted_a_worse_one_rejected_and_a_better_one_by_the_margin_promoted()
    {
        var registry = await NewRegistryAsync();
        var v1 = await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact('a')) { By = "run:r1", RunId = "r1", StepId = "r1/gate", DataJson = """{"source":"a.json"}""" });
        Assert.Equal(1, v1.Version);
        var d1 = await registry.DecideAsync(new ChallengeSpec("unet", 1, F1Rule, 0.80, null, null) { By = "run:r1", RunId = "r1" });
        Assert.Equal(ModelDecision.Promoted, d1.Decision);
        Assert.Contains("no champion yet", d1.Reason, StringComparison.Ordinal);

        // Better, but by less than the margin: the champion stays.
        var v2 = await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact('b')) { By = "run:r2", StepId = "r2/gate" });
        var d2 = await registry.DecideAsync(new ChallengeSpec("unet", v2.Version, F1Rule, 0.805, 1, 0.80) { By = "run:r2" });
        Assert.Equal(ModelDecision.Rejected, d2.Decision);
        Assert.Contains("not better by the margin: F1 0.8050 vs the champion's 0.8000", d2.Reason, StringComparison.Ordinal);
        Assert.Equal(1, d2.PreviousChampion);

        // Better by exactly the margin: promoted.
        var v3 = await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact('c')) { By = "run:r3", StepId = "r3/gate" });
        var d3 = await registry.DecideAsync(new ChallengeSpec("unet", v3.Version, F1Rule, 0.81, 1, 0.80) { By = "run:r3" });
        Assert.Equal(ModelDecision.Promoted, d3.Decision);

        var info = (await registry.GetAsync("unet"))!;
        Assert.Equal(3, info.Model.ChampionVersion);
        Assert.Equal([3, 2, 1], info.Versions.Select(v => v.Version));
        Assert.Equal([ModelDecision.Promoted, ModelDecision.Rejected, ModelDecision.Promoted], info.Decisions.Select(d => d.Decision));
        Assert.Equal(Artifact('c').Hash, (await registry.ResolveAsync(ModelReference.Parse("model://unet"))).ArtifactHash);
        Assert.Equal(Artifact('b').Hash, (await registry.ResolveAsync(ModelReference.Parse("model://unet@2"))).ArtifactHash);

        await using var db = registry.Store.CreateContext();
        var audit = await db.Audit.OrderBy(a => a.Id).Select(a => a.Action + " " + a.Target).ToListAsync();
        Assert.Equal(
            ["model.register model://unet@1", "model.promote model://unet@1", "model.register model://unet@2", "model.reject model://unet@2", "model.register model://unet@3", "model.promote model://unet@3"],
            audit);
    }

    [Fact]
    public async Task A_step_run_again_registers_and_decides_once()
    {
        var registry = await NewRegistryAsync();
        var spec = new ModelVersionSpec("unet", Artifact('a')) { By = "run:r1", StepId = "r1/gate" };
        var first = await registry.RegisterAsync(spec);
        var again = await registry.RegisterAsync(spec);
        Assert.Equal(first.Version, again.Version);
        var d1 = await registry.DecideAsync(new ChallengeSpec("unet", 1, F1Rule, 0.5, null, null) { By = "run:r1" });
        var d2 = await registry.DecideAsync(new ChallengeSpec("unet", 1, F1Rule, 0.1, null, null) { By = "run:r1" });
        Assert.Equal(d1.Id, d2.Id);
        var info = (await registry.GetAsync("unet"))!;
        Assert.Single(info.Versions);
        Assert.Single(info.Decisions);
    }

    [Fact]
    public async Task A_challenger_evaluated_against_a_champion_that_changed_meanwhile_is_rejected()
    {
        var registry = await NewRegistryAsync();
        foreach (var (c, step) in new[] { ('a', "r1/gate"), ('b', "r2/gate"), ('c', "r3/gate") })
        {
            await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact(c)) { By = "run:x", StepId = step });
        }

        await registry.DecideAsync(new ChallengeSpec("unet", 1, F1Rule, 0.5, null, null) { By = "run:r1" });

        // Runs 2 and 3 both evaluated against version 1; run 2 promotes first, so run 3's comparison is stale.
        Assert.Equal(ModelDecision.Promoted, (await registry.DecideAsync(new ChallengeSpec("unet", 2, F1Rule, 0.6, 1, 0.5) { By = "run:r2" })).Decision);
        var stale = await registry.DecideAsync(new ChallengeSpec("unet", 3, F1Rule, 0.9, 1, 0.5) { By = "run:r3" });
        Assert.Equal(ModelDecision.Rejected, stale.Decision);
        Assert.Contains("the champion changed while this run evaluated (evaluated version 1, now version 2)", stale.Reason, StringComparison.Ordinal);
        Assert.Equal(2, (await registry.GetAsync("unet"))!.Model.ChampionVersion);
    }

    [Fact]
    public async Task A_champion_set_by_hand_needs_a_reason_and_an_existing_version_and_is_audited()
    {
        var registry = await NewRegistryAsync();
        await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact('a')) { By = "cli:me" });
        await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact('b')) { By = "cli:me" });
        await Assert.ThrowsAsync<ModelRegistryException>(() => registry.SetChampionAsync("unet", 1, "cli:me", " "));
        var missing = await Assert.ThrowsAsync<ModelRegistryException>(() => registry.SetChampionAsync("unet", 7, "cli:me", "roll back"));
        Assert.Equal("model 'unet' has no version 7 (versions 1 to 2)", missing.Message);
        var decision = await registry.SetChampionAsync("unet", 1, "cli:me", "v2 regressed on MCF7");
        Assert.Equal(ModelDecision.Manual, decision.Decision);
        Assert.Null(decision.PreviousChampion);
        Assert.Equal(1, (await registry.GetAsync("unet"))!.Model.ChampionVersion);
        await using var db = registry.Store.CreateContext();
        var entry = await db.Audit.SingleAsync(a => a.Action == "model.set-champion");
        Assert.Equal("cli:me", entry.Actor);
        Assert.Equal("was no champion: v2 regressed on MCF7", entry.Detail);
    }

    [Fact]
    public async Task Unknown_models_versions_and_champions_are_named_in_the_error()
    {
        var registry = await NewRegistryAsync();
        Assert.Equal("model://nope: no registered model 'nope' (the registry is empty)",
            (await Assert.ThrowsAsync<ModelRegistryException>(() => registry.ResolveAsync(ModelReference.Parse("model://nope")))).Message);
        await registry.RegisterAsync(new ModelVersionSpec("unet", Artifact('a')) { By = "cli:me" });
        Assert.Equal("model://unet: model 'unet' has no champion yet (1 version(s) registered, none promoted)",
            (await Assert.ThrowsAsync<ModelRegistryException>(() => registry.ResolveAsync(ModelReference.Parse("model://unet")))).Message);
        Assert.Equal("model://unet@4: model 'unet' has no version 4 (versions 1 to 1)",
            (await Assert.ThrowsAsync<ModelRegistryException>(() => registry.ResolveAsync(ModelReference.Parse("model://unet@4")))).Message);
        Assert.Null(await registry.TryResolveAsync(ModelReference.Parse("model://unet")));
        await Assert.ThrowsAsync<ModelRegistryException>(() => registry.RegisterAsync(new ModelVersionSpec("../etc", Artifact('a')) { By = "cli:me" }));
    }

    [Theory]
    [InlineData("model://unet", "unet", null)]
    [InlineData("model://unet-livecell.v2@12", "unet-livecell.v2", 12)]
    [InlineData("model://unet@0", null, null)]
    [InlineData("model://unet@", null, null)]
    [InlineData("model://unet@1x", null, null)]
    [InlineData("model://", null, null)]
    [InlineData("model://-x", null, null)]
    [InlineData("model://a/b", null, null)]
    [InlineData("file://unet", null, null)]
    public void Model_references_parse_strictly(string text, string? name, int? version)
    {
        var ok = ModelReference.TryParse(text, out var reference);
        Assert.Equal(name is not null, ok);
        if (ok)
        {
            Assert.Equal(name, reference!.Name);
            Assert.Equal(version, reference.Version);
            Assert.Equal(text, reference.ToString());
        }
    }

    [Fact]
    public void The_rule_knows_lower_is_better_ties_and_missing_scores()
    {
        var afnr = new PromotionRule("AFNR", 0.02, HigherIsBetter: false);
        Assert.True(afnr.Decide(0.20, 0.25).Promote);
        Assert.False(afnr.Decide(0.24, 0.25).Promote);
        Assert.False(afnr.Decide(0.30, 0.25).Promote);
        var zero = new PromotionRule("F1", 0, HigherIsBetter: true);
        Assert.False(zero.Decide(0.5, 0.5).Promote);
        Assert.True(zero.Decide(0.5000001, 0.5).Promote);
        Assert.False(zero.Decide(double.NaN, null).Promote);
        Assert.True(zero.Decide(0.1, null).Promote);
    }
}

/// <summary><c>model://</c> in a step's artifact input: resolved when the step starts, keyed by the champion's bytes, journaled.</summary>
public sealed class ModelInputTests
{
    private const string ReadChampion = """
        {
          "id": "read-champion",
          "nodes": [ { "id": "read", "activity": "test.ReadText", "retry": { "attempts": 3, "delay": "10ms" }, "inputs": { "file": "model://greeting", "key": "KEY" } } ],
          "outputs": { "text": "${nodes.read.text}" }
        }
        """;

    private const string Write = """
        {
          "id": "write",
          "nodes": [ { "id": "write", "activity": "test.WriteText", "inputs": { "text": "${params.text}" } } ],
          "parameters": { "text": { "type": "string" } },
          "outputs": { "file": "${nodes.write.file}" }
        }
        """;

    [Fact]
    public async Task A_model_reference_reads_the_champion_and_a_new_champion_is_a_cache_miss()
    {
        await using var h = await EngineHarness.StartAsync();
        var registry = new ModelRegistry(h.Engine.Store);
        var key = Guid.NewGuid().ToString("N");
        var workflow = ReadChampion.Replace("KEY", key, StringComparison.Ordinal);

        // No such model yet: the step fails at once with the registry's words, and is not retried.
        var missing = await h.RunAsync(workflow);
        Assert.Equal(StepStatus.Failed, missing.Step("read").Status);
        Assert.Equal(1, missing.Step("read").Attempt);
        Assert.Contains("node 'read', input 'file': model://greeting: no registered model 'greeting'", missing.Step("read").Error, StringComparison.Ordinal);
        Assert.Equal(0, Calls.Of(key));

        async Task<ArtifactRef> StoreTextAsync(string text)
        {
            var run = await h.RunAsync(Write, ("text", text));
            var file = JsonNode.Parse(run.Run.OutputsJson!)!["file"]!;
            return new ArtifactRef(file["hash"]!.GetValue<string>(), file["name"]!.GetValue<string>(), file["size"]!.GetValue<long>());
        }

        await registry.RegisterAsync(new ModelVersionSpec("greeting", await StoreTextAsync("hello")) { By = "test" });
        await registry.SetChampionAsync("greeting", 1, "test", "first");
        var first = await h.RunAsync(workflow);
        Assert.Equal("hello", JsonNode.Parse(first.Run.OutputsJson!)!["text"]!.GetValue<string>());
        Assert.Contains(first.EventsOf("read"), e => e.Kind == "log" && e.Message!.Contains("input 'file': model://greeting (the champion) is version 1, artifact", StringComparison.Ordinal));

        // Same champion: a hit. A new champion: a miss, and the new bytes.
        var again = await h.RunAsync(workflow);
        Assert.Equal(StepStatus.Cached, again.Step("read").Status);
        await registry.RegisterAsync(new ModelVersionSpec("greeting", await StoreTextAsync("bonjour")) { By = "test" });
        await registry.SetChampionAsync("greeting", 2, "test", "better");
        var second = await h.RunAsync(workflow);
        Assert.Equal(StepStatus.Succeeded, second.Step("read").Status);
        Assert.Equal("bonjour", JsonNode.Parse(second.Run.OutputsJson!)!["text"]!.GetValue<string>());
        Assert.Equal(2, Calls.Of(key));

        // A pinned version ignores the champion.
        var pinned = await h.RunAsync(workflow.Replace("model://greeting", "model://greeting@1", StringComparison.Ordinal));
        Assert.Equal("hello", JsonNode.Parse(pinned.Run.OutputsJson!)!["text"]!.GetValue<string>());
    }

    [Fact]
    public void An_artifact_literal_must_be_a_model_reference()
    {
        var registry = EngineHarness.Registry();
        var bad = Engine.Definitions.WorkflowDefinitionReader.Parse(ReadChampion.Replace("model://greeting", "/etc/passwd", StringComparison.Ordinal), "bad.json");
        var problem = Assert.Single(Engine.Definitions.WorkflowValidator.Validate(bad, registry));
        Assert.Contains("type mismatch: input 'file' is artifact, but the value is the string \"/etc/passwd\" (an artifact comes from an upstream output", problem.Message, StringComparison.Ordinal);
        var good = Engine.Definitions.WorkflowDefinitionReader.Parse(ReadChampion, "good.json");
        Assert.Empty(Engine.Definitions.WorkflowValidator.Validate(good, registry));
    }
}
