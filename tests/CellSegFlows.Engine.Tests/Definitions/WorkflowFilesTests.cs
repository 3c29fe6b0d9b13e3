using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Tests.Definitions;

/// <summary>Every example definition under workflows/examples reads and validates against the test catalog (the real workflows are checked against the real activities in CellSegFlows.Activities.Tests).</summary>
public class WorkflowFilesTests
{
    [Fact]
    public async Task Every_example_workflow_parses_and_validates()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "workflows", "examples");
        var schemaFolder = Path.Combine(folder, "schema") + Path.DirectorySeparatorChar;
        var files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Where(f => !f.StartsWith(schemaFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];

        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                var definition = await WorkflowDefinitionReader.LoadAsync(file);
                failures.AddRange(WorkflowValidator.Validate(definition, FakeCatalog.Instance).Select(p => $"{file}: {p}"));
                WorkflowPlan.Create(definition, file);
            }
            catch (WorkflowDefinitionException ex)
            {
                failures.Add(ex.Message);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task The_hello_example_fans_out_and_in()
    {
        var definition = await WorkflowDefinitionReader.LoadAsync(Path.Combine(TestPaths.RepoRoot, "workflows", "examples", "hello.json"));
        var plan = WorkflowPlan.Create(definition);

        Assert.Equal(["split", "greet", "join"], plan.Order.Select(n => n.Id));
        Assert.Equal(["greet"], plan.Mapped.Select(n => n.Id));
        var bound = WorkflowValidator.Bind(definition, new Dictionary<string, string> { ["names"] = "Ada,Grace,Edsger" });
        Assert.True(bound.IsValid);
    }
}
