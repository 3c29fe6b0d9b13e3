using System.Globalization;

namespace CellSeg.Bench;

/// <summary>The command line: which benchmark, how big, where to keep generated files.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: CellSeg.Bench parse|eval|all [--scale N] [--repeat N] [--work DIR] [--shared DIR] [--cocoapi DIR] [--no-anchor]
          parse      generate a LIVECell-train-sized COCO file (1,000,000 polygons at --scale 1) and time
                     streaming parse, parse + rasterise, and full in-memory load, each in its own process
          eval       generate a LIVECell-test-sized evaluation set (104 tiles of the 15 test images at
                     --scale 1) and time every stage of COCO evaluation
          all        parse, then eval
          --scale N  size factor (default 1; 0.05 for a quick run)
          --repeat N run every measurement N times, each in a fresh process, and report the median
                     run with the range (default 3)
          --work DIR folder for generated files, reused when present (default /tmp/cellseg-bench)
          --shared DIR   the shared data folder (default: ../shared beside the checkout)
          --cocoapi DIR  a folder holding pycocotools' common/maskApi.c and maskApi.h (kept outside
                     the repository) to time pycocotools' C rasteriser; without it that part is skipped
          --no-anchor    skip the Python and C comparison runs
        """;

    public required string Command { get; init; }

    public double Scale { get; init; } = 1;

    public int Repeat { get; init; } = 3;

    public string WorkDir { get; init; } = Path.Combine(Path.GetTempPath(), "cellseg-bench");

    public string? SharedDir { get; init; }

    public string? CocoApiDir { get; init; }

    public bool Anchor { get; init; } = true;

    /// <summary>Child process only: what to measure.</summary>
    public string? Mode { get; init; }

    /// <summary>Child process only: the file(s) to measure, by role.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("no benchmark given");
        }

        var options = new BenchOptions { Command = args[0] };
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            switch (name)
            {
                case "--scale":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || scale <= 0 || scale > 100)
                    {
                        throw new UsageException($"--scale must be a number above 0 and at most 100, not '{text}'");
                    }

                    options = options with { Scale = scale };
                    break;
                case "--repeat":
                    var count = Value();
                    if (!int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var repeat) || repeat < 1 || repeat > 20)
                    {
                        throw new UsageException($"--repeat must be a whole number from 1 to 20, not '{count}'");
                    }

                    options = options with { Repeat = repeat };
                    break;
                case "--work":
                    options = options with { WorkDir = Path.GetFullPath(Value()) };
                    break;
                case "--shared":
                    options = options with { SharedDir = Path.GetFullPath(Value()) };
                    break;
                case "--cocoapi":
                    options = options with { CocoApiDir = Path.GetFullPath(Value()) };
                    break;
                case "--no-anchor":
                    options = options with { Anchor = false };
                    break;
                case "--mode":
                    options = options with { Mode = Value() };
                    break;
                default:
                    if (name.StartsWith("--", StringComparison.Ordinal) && name.Length > 2)
                    {
                        // Children get their inputs as --role path (e.g. --gt FILE).
                        files[name[2..]] = Value();
                        break;
                    }

                    throw new UsageException($"unknown argument '{name}'");
            }
        }

        return options with { Files = files };
    }

    public string File(string role) =>
        Files.TryGetValue(role, out var path) ? path : throw new UsageException($"--{role} FILE is required");
}

/// <summary>A wrong command line; the program prints the message and the usage.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A benchmark could not run (missing data, a child process failed); the program prints one line.</summary>
internal sealed class BenchException(string message) : Exception(message);
