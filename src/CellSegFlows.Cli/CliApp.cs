using CellSeg.Data;
using CellSeg.Models.Runtime;
using CellSegFlows.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli;

/// <summary>
/// The <c>cellsegflows</c> command line. Tests run it in-process with their own console.
/// A user mistake (bad file, bad option) prints one line and exits 2; nothing prints a stack trace
/// unless <c>CELLSEGFLOWS_DEBUG=1</c>.
/// </summary>
public static class CliApp
{
    /// <summary>Exit code for bad input or bad options.</summary>
    public const int UserError = 2;

    /// <summary>Exit code for a fault of ours (a bug): one line too, the stack trace only with <c>CELLSEGFLOWS_DEBUG=1</c>.</summary>
    public const int InternalError = 70;

    /// <summary>Runs the command line with <paramref name="console"/> as standard output and for error lines.</summary>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default) =>
        RunAsync(args, console, console, cancellationToken);

    /// <summary>Runs the command line with <paramref name="console"/> as standard output and <paramref name="errors"/> for error lines.</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            TorchRuntime.Prepare();   // before anything can load libtorch (see README, "CPU kernels")
        }
        catch (ArgumentException ex)
        {
            errors.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return UserError;
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("cellsegflows");
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.AddCommand<QuickstartCommand>("baseline")
                .WithDescription("The classical baseline without the engine: make a small LIVECell-like dataset offline (or use --gt/--images), segment it by contrast, evaluate, and write a report (the quickstart workflow's baseline branch; it trains no U-Net).")
                .WithExample("baseline", "--out", "out/baseline");
            config.AddCommand<QuickstartAliasCommand>("quickstart")
                .WithDescription("Deprecated: the old name of 'baseline' (kept for one version).")
                .IsHidden();
            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Evaluate predictions against ground truth: COCO AP/AR (pycocotools-exact), AFNR, and F1 of the union masks, overall and per cell type.")
                .WithExample("eval", "--gt", "livecell_coco_test.json", "--pred", "pred.json", "--by-cell-type");
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check a workflow definition: every problem, each naming node and field.")
                .WithExample("validate", "workflows/quickstart.json");
            config.AddCommand<RunCommand>("run")
                .WithDescription("Run a workflow on the embedded engine (SQLite, in-process worker) and wait for it.")
                .WithExample("run", "workflows/quickstart.json", "--param", "imagesPerCellType=2");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("A run's results as the paper shows them (Tables 1-4 layout beside the paper's values, PR curves, AP per IoU, bars per cell type, training curves, TP/FP/FN overlays, a Gantt of the steps): one self-contained report.html plus report.json and report.md; --compare RUN_A RUN_B puts two runs' tables side by side.")
                .WithExample("report", "RUN_ID", "--out", "out/report")
                .WithExample("report", "--compare", "RUN_A", "RUN_B");
            config.AddBranch("runs", runs =>
            {
                runs.SetDescription("The run history.");
                runs.AddCommand<RunsListCommand>("list").WithDescription("Recent runs.");
                runs.AddCommand<RunsShowCommand>("show").WithDescription("A run with its steps, journal, artifacts and metrics.");
                runs.AddCommand<RunsResumeCommand>("resume").WithDescription("Carry on an interrupted run.");
                runs.AddCommand<RunsCancelCommand>("cancel").WithDescription("Ask a run to stop.");
                runs.AddCommand<RunsPruneCommand>("prune").WithDescription("Delete finished runs older than an age and the artifact blobs nothing kept references (--dry-run lists them).")
                    .WithExample("runs", "prune", "--older-than", "30d", "--dry-run");
            });
            config.AddBranch("schedule", schedule =>
            {
                schedule.SetDescription("Cron schedules that start runs (e.g. nightly retraining). They fire while an engine process runs: worker, or run.");
                schedule.AddCommand<ScheduleListCommand>("list").WithDescription("The schedules with their next and latest firing.");
                schedule.AddCommand<ScheduleAddCommand>("add").WithDescription("Add a schedule, or update the one with the same id.")
                    .WithExample("schedule", "add", "--id", "nightly", "--workflow", "workflows/quickstart.json", "--cron", "0 0 3 * * ?", "--param", "seed=7");
                schedule.AddCommand<ScheduleRemoveCommand>("remove").WithDescription("Remove a schedule.");
            });
            config.AddBranch("watch", watch =>
            {
                watch.SetDescription("Folder watches: each new or changed file (e.g. an annotation file) starts one run with its path as a parameter.");
                watch.AddCommand<WatchListCommand>("list").WithDescription("The watches with the files they have started runs for.");
                watch.AddCommand<WatchAddCommand>("add").WithDescription("Add a watch, or update the one with the same id.")
                    .WithExample("watch", "add", "--id", "incoming", "--workflow", "eval.json", "--folder", "incoming", "--glob", "*.json", "--param-name", "annotations");
                watch.AddCommand<WatchRemoveCommand>("remove").WithDescription("Remove a watch and forget the files it has seen.");
            });
            config.AddBranch("models", models =>
            {
                models.SetDescription("The model registry: named models, their versions, champions and decisions.");
                models.AddCommand<ModelsListCommand>("list").WithDescription("The registered models with their champions.");
                models.AddCommand<ModelsShowCommand>("show").WithDescription("A model's versions (run, data, scores) and the decisions about its champion.");
                models.AddCommand<ModelsPromoteCommand>("promote").WithDescription("Make a version the champion by hand (promote or roll back), with a reason.")
                    .WithExample("models", "promote", "unet-livecell@3", "--reason", "v4 regressed on MCF7");
            });
            config.AddBranch("workflows", workflows =>
            {
                workflows.SetDescription("Workflow definitions stored in the run store (saved in the studio, or imported by serve).");
                workflows.AddCommand<WorkflowsExportCommand>("export").WithDescription("Write a stored definition (the latest version, or --version HASH) to a workflow file.")
                    .WithExample("workflows", "export", "quickstart", "--out", "quickstart.json");
            });
            config.AddCommand<WorkerCommand>("worker")
                .WithDescription("Serve steps of some queues until stopped (several workers: PostgreSQL stores).")
                .WithExample("worker", "--queues", "gpu,cpu", "--quartz-pg", "Host=db;Database=quartz", "--store", "Host=db;Database=runs");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("The server and studio: REST API, live run view, operations views, auth; runs steps and fires triggers like a worker.")
                .WithExample("serve", "--admin-password-file", "admin.txt");
            config.AddBranch("users", users =>
            {
                users.SetDescription("Server users (roles viewer, editor, operator, admin) and API keys.");
                users.AddCommand<UsersAddCommand>("add").WithDescription("Add a user with a role.")
                    .WithExample("users", "add", "alice", "--role", "editor", "--password-file", "alice.txt");
                users.AddCommand<UsersListCommand>("list").WithDescription("The users.");
                users.AddCommand<UsersKeyCommand>("key").WithDescription("Create an API key for a user (printed once).");
            });
            config.AddCommand<SegmentCommand>("segment")
                .WithDescription("Segment images with a trained U-Net: binary masks, instance labels, overlays and a COCO results file.")
                .WithExample("segment", "--model", "unet.cellseg", "--out", "out/masks", "images/");
            config.AddCommand<HealthCommand>("health")
                .WithDescription("A health check for containers: a server's URL answers 2xx, or a worker checked in to the run store lately (exit 0 healthy, 1 not).")
                .WithExample("health", "--url", "http://127.0.0.1:5080/openapi/v1.json");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("This machine as torch sees it (CPU and ISA, libtorch, oneMKL, threads, CUDA devices, the libstdc++ patch) and the numeric self-check of the training kernels.");
            config.AddCommand<ActivitiesCommand>("activities")
                .WithDescription("The activity registry as a table, or --json for the studio.");
            config.AddBranch("coco", coco =>
            {
                coco.SetDescription("Inspect COCO annotation files.");
                coco.AddCommand<CocoStatsCommand>("stats")
                    .WithDescription("Images, annotations, and cells per image per cell type.")
                    .WithExample("coco", "stats", "livecell_coco_val.json");
            });
        });

        var debug = Environment.GetEnvironmentVariable("CELLSEGFLOWS_DEBUG") == "1";
        try
        {
            return await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception thrown) when (Unwrap(thrown) is OperationCanceledException)
        {
            errors.MarkupLine("[yellow]cancelled[/]");
            return 130;
        }
        catch (Exception thrown) when (!debug)
        {
            // Failures inside parallel loops arrive wrapped: the first real cause is the one to name.
            var ex = Unwrap(thrown);
            var (code, text) = ex switch
            {
                _ when IsUserError(ex) => (UserError, ex.Message),
                TorchBackendException => (1, ex.Message),
                IOException or UnauthorizedAccessException => (UserError, ex.Message),   // the environment: a full disk, an unwritable home, a folder where a file goes
                Microsoft.Data.Sqlite.SqliteException sqlite => (UserError, $"the run store: {sqlite.Message}"),
                OutOfMemoryException => (1, "out of memory (the input is larger than this machine can hold; see README, 'Limits')"),
                _ => (InternalError, $"internal error ({ex.GetType().Name}): {ex.Message} (run again with CELLSEGFLOWS_DEBUG=1 for the stack trace, and report it)"),
            };
            errors.MarkupLineInterpolated($"[red]error:[/] {text}");
            return code;
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            ex = aggregate.InnerExceptions[0];
        }

        return ex;
    }

    private static bool IsUserError(Exception ex) => ex is DataFormatException or CommandParseException or CommandRuntimeException or UserInputException
        or CellSegFlows.Engine.Runtime.EngineException or CellSegFlows.Engine.Triggers.TriggerDefinitionException or CellSegFlows.Server.Auth.UserAdminException
        or CellSegFlows.Engine.Access.HostAccessException;
}
