using CellSegFlows.Engine.Definitions;
using static CellSegFlows.Engine.Tests.Definitions.Defs;

namespace CellSegFlows.Engine.Tests.Definitions;

public class BindTests
{
    private static readonly WorkflowDefinition Workflow = Parse("""
        { "id": "w",
          "parameters": {
            "seed": { "type": "int" },
            "ratio": { "type": "number", "default": 0.25 },
            "dryRun": { "type": "bool", "default": false },
            "label": { "type": "string", "default": "run" },
            "image": { "type": "artifact", "default": "in.tif" },
            "sizes": { "type": "list<int>", "default": [1, 2] },
            "names": { "type": "list<string>", "default": [] },
            "meta": { "type": "json", "default": { "k": 1 } }
          },
          "nodes": [ { "id": "a", "activity": "text.split", "inputs": { "text": "${params.label}" } } ] }
        """);

    [Fact]
    public void Texts_become_typed_values_and_defaults_fill_the_rest()
    {
        var bound = WorkflowValidator.Bind(Workflow, new Dictionary<string, string>
        {
            ["seed"] = "-42",
            ["ratio"] = "1e-3",
            ["dryRun"] = "True",
            ["sizes"] = " 3, 4 ,5",
            ["names"] = """["a, b", "c"]""",
            ["label"] = " spaced ",
        });

        Assert.True(bound.IsValid, string.Join('\n', bound.Problems));
        Assert.Equal(["seed", "ratio", "dryRun", "label", "image", "sizes", "names", "meta"], bound.Values.Keys);
        Assert.Equal(-42L, bound.Values["seed"]!.GetValue<long>());
        Assert.Equal(0.001, bound.Values["ratio"]!.GetValue<double>());
        Assert.True(bound.Values["dryRun"]!.GetValue<bool>());
        Assert.Equal(" spaced ", bound.Values["label"]!.GetValue<string>());
        Assert.Equal("\"in.tif\"", bound.Values["image"]!.ToJsonString());
        Assert.Equal("[3,4,5]", bound.Values["sizes"]!.ToJsonString());
        Assert.Equal("""["a, b","c"]""", bound.Values["names"]!.ToJsonString());
        Assert.Equal("""{"k":1}""", bound.Values["meta"]!.ToJsonString());

        // Defaults are copies: changing a bound value leaves the definition alone.
        bound.Values["meta"]!["k"] = 2;
        Assert.Equal("""{"k":1}""", Workflow.Parameters["meta"].Default!.ToJsonString());
    }

    [Fact]
    public void Json_parameters_take_json_text_or_else_the_text_itself()
    {
        var json = WorkflowValidator.Bind(Workflow, new Dictionary<string, string> { ["seed"] = "1", ["meta"] = """{"a": [1, 2]}""" });
        Assert.Equal("""{"a":[1,2]}""", json.Values["meta"]!.ToJsonString());

        var text = WorkflowValidator.Bind(Workflow, new Dictionary<string, string> { ["seed"] = "1", ["meta"] = "hello" });
        Assert.Equal("\"hello\"", text.Values["meta"]!.ToJsonString());

        var empty = WorkflowValidator.Bind(Workflow, new Dictionary<string, string> { ["seed"] = "1", ["sizes"] = "" });
        Assert.Equal("[]", empty.Values["sizes"]!.ToJsonString());
    }

    [Fact]
    public void Unknown_names_bad_values_and_missing_values_are_all_problems()
    {
        var bound = WorkflowValidator.Bind(Workflow, new Dictionary<string, string>
        {
            ["sede"] = "1",
            ["ratio"] = "fast",
            ["dryRun"] = "yes",
            ["sizes"] = "1,two",
            ["names"] = "[1, 2]",
            ["meta"] = "{}",
        });

        Assert.False(bound.IsValid);
        Single(bound.Problems, null, "parameters.sede", "unknown parameter 'sede' (--param sede=…): its parameters are seed, ratio, dryRun, label, image, sizes, names, meta");
        Single(bound.Problems, null, "parameters.seed", "parameter 'seed' (int) has no default and was not given: pass --param seed=VALUE");
        Single(bound.Problems, null, "parameters.ratio", "--param ratio: 'fast' is not a number");
        Single(bound.Problems, null, "parameters.dryRun", "--param dryRun: 'yes' is not a bool (use true or false)");
        Single(bound.Problems, null, "parameters.sizes", "--param sizes: element [1] of '1,two': 'two' is not an int");
        Single(bound.Problems, null, "parameters.names", "--param names: '[1, 2]' is not a list<string>: element [0] is the number 1");
        Assert.Equal(6, bound.Problems.Count);
        Assert.Equal(["label", "image", "meta"], bound.Values.Keys);
    }

    [Fact]
    public void Ints_must_be_whole_and_numbers_finite()
    {
        var bound = WorkflowValidator.Bind(Workflow, new Dictionary<string, string> { ["seed"] = "2.0", ["ratio"] = "NaN" });

        Single(bound.Problems, null, "parameters.seed", "--param seed: '2.0' is not an int");
        Single(bound.Problems, null, "parameters.ratio", "--param ratio: 'NaN' is not a number");
    }
}
