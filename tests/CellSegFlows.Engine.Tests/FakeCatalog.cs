using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Tests;

/// <summary>
/// Small made-up activities for definition tests (and workflows/examples/hello.json). They only describe
/// ports; nothing runs them.
/// </summary>
internal sealed class FakeCatalog : IActivityCatalog
{
    public static FakeCatalog Instance { get; } = new();

    private FakeCatalog()
    {
        All =
        [
            Activity(
                "text.split",
                "Splits text into parts.",
                [In("text", DataType.String), In("separator", DataType.String, JsonValue.Create(","))],
                [Out("parts", DataType.ListOf(DataType.String))]),
            Activity(
                "text.greet",
                "Greets one name.",
                [In("name", DataType.String), In("times", DataType.Integer, JsonValue.Create(1)), In("excited", DataType.Boolean, JsonValue.Create(false))],
                [Out("greeting", DataType.String)]),
            Activity(
                "text.join",
                "Joins parts into one text.",
                [In("parts", DataType.ListOf(DataType.String)), In("separator", DataType.String, JsonValue.Create(" "))],
                [Out("text", DataType.String)]),
            Activity(
                "math.scale",
                "Multiplies a number.",
                [In("value", DataType.Number), In("factor", DataType.Number, JsonValue.Create(1.0))],
                [Out("result", DataType.Number), Out("rounded", DataType.Integer)]),
            Activity(
                "math.range",
                "The integers 0 to count - 1.",
                [In("count", DataType.Integer)],
                [Out("values", DataType.ListOf(DataType.Integer))]),
            Activity(
                "data.inspect",
                "Summarises any JSON value.",
                [In("data", DataType.Json)],
                [Out("summary", DataType.Json)]),
            Activity(
                "files.fetch",
                "Downloads a file into the artifact store.",
                [In("url", DataType.String)],
                [Out("file", DataType.Artifact)],
                queue: "cpu"),
            Activity(
                "files.checksum",
                "Hashes a stored file.",
                [In("file", DataType.Artifact)],
                [Out("sha", DataType.String)],
                queue: "gpu"),
        ];
    }

    public IReadOnlyList<ActivityDescriptor> All { get; }

    public ActivityDescriptor? Find(string type) => All.FirstOrDefault(a => a.Type == type);

    private static ActivityDescriptor Activity(string type, string description, PortDescriptor[] inputs, PortDescriptor[] outputs, string queue = "cpu") =>
        new(type, 1, type.Split('.')[0], description, inputs, outputs, queue);

    private static PortDescriptor In(string name, DataType type, JsonNode? defaultValue = null) =>
        new(name, type, Required: defaultValue is null, defaultValue, name);

    private static PortDescriptor Out(string name, DataType type) => new(name, type, false, null, name);
}
