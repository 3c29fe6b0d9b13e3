using CellSegFlows.Engine.Definitions;
using static CellSegFlows.Engine.Tests.Definitions.Defs;

namespace CellSegFlows.Engine.Tests.Definitions;

public class PlanTests
{
    [Fact]
    public void Order_puts_parents_first_and_keeps_definition_order_for_ties()
    {
        // join is written first but needs both greetings; b and a are independent roots.
        var plan = WorkflowPlan.Create(Parse("""
            { "id": "w", "nodes": [
              { "id": "join", "activity": "text.join", "inputs": { "parts": "${nodes.greetA.greeting}", "separator": "${nodes.b.text}" } },
              { "id": "b", "activity": "text.join", "inputs": { "parts": ["x"] } },
              { "id": "a", "activity": "text.split", "inputs": { "text": "p,q" } },
              { "id": "greetA", "activity": "text.greet", "map": { "over": "${nodes.a.parts}" }, "inputs": { "name": "${item}" } },
              { "id": "lone", "activity": "text.split", "inputs": { "text": "z" } }
            ] }
            """));

        Assert.Equal(["b", "a", "greetA", "join", "lone"], plan.Order.Select(n => n.Id));
        Assert.Equal(["b", "a", "lone"], plan.Roots.Select(n => n.Id));
        Assert.Equal(["greetA"], plan.Mapped.Select(n => n.Id));
        Assert.Equal(["b", "greetA"], plan["join"].Parents);
        Assert.Equal(["greetA"], plan["a"].Children);
        Assert.Equal(["a"], plan["greetA"].Parents);
        Assert.Equal(["join"], plan["greetA"].Children);
        Assert.True(plan["greetA"].IsMapped);
        Assert.False(plan["join"].IsMapped);
        Assert.Equal(3, plan["greetA"].Index);
        Assert.Throws<KeyNotFoundException>(() => plan["nope"]);
    }

    [Fact]
    public void A_node_used_twice_by_another_is_one_parent()
    {
        var plan = WorkflowPlan.Create(Parse("""
            { "id": "w", "nodes": [
              { "id": "s", "activity": "text.split", "inputs": { "text": "a" } },
              { "id": "g", "activity": "text.greet", "map": { "over": "${nodes.s.parts}" }, "inputs": { "name": "${item}" } },
              { "id": "j", "activity": "text.join", "map": { "over": "${nodes.s.parts}" }, "inputs": { "parts": "${nodes.s.parts}" } }
            ] }
            """));

        Assert.Equal(["s"], plan["j"].Parents);
        Assert.Equal(["g", "j"], plan["s"].Children);
    }

    [Fact]
    public void A_cycle_cannot_be_planned_and_is_reported_like_the_validator_does()
    {
        var definition = Parse("""
            { "id": "loop", "nodes": [
              { "id": "a", "activity": "text.split", "inputs": { "text": "${nodes.b.text}" } },
              { "id": "b", "activity": "text.join", "inputs": { "parts": "${nodes.a.parts}" } }
            ] }
            """);

        var ex = Assert.Throws<WorkflowDefinitionException>(() => WorkflowPlan.Create(definition));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal(new DefinitionProblem("a", "nodes[0].inputs.text", "cycle: a → b → a"), problem);
        Assert.Equal("loop", ex.SourceName);
        Assert.Equal(problem, Assert.Single(WorkflowValidator.Validate(definition, FakeCatalog.Instance)));
    }

    [Fact]
    public void A_long_chain_is_ordered_without_deep_recursion()
    {
        var nodes = string.Join(",\n", Enumerable.Range(0, 5000).Select(i => i == 0
            ? """{ "id": "n0", "activity": "text.split", "inputs": { "text": "x" } }"""
            : $$"""{ "id": "n{{i}}", "activity": "text.split", "inputs": { "text": "${nodes.n{{i - 1}}.parts}" } }"""));
        var plan = WorkflowPlan.Create(Parse($$"""{ "id": "chain", "nodes": [ {{nodes}} ] }"""));

        Assert.Equal(5000, plan.Order.Count);
        Assert.Equal("n4999", plan.Order[^1].Id);
    }
}
