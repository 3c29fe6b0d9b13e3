using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using CellSegFlows.Engine.Store;
using CellSegFlows.Testing;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// docker/: images cannot be pulled or built here, so what can be checked is: the compose file parses with a real
/// compose client, every cellsegflows command and option the files use exists, the images build with README's
/// commands, and the secrets script writes connection strings the run store accepts.
/// </summary>
public partial class DockerFilesTests
{
    private static string Docker => Path.Combine(TestPaths.RepoRoot, "docker");

    [DockerComposeFact]
    public async Task Compose_file_parses_with_the_compose_client_and_has_every_service()
    {
        foreach (var profile in new[] { "", "gpu" })
        {
            var start = ComposeClient.Start("config", "--services");
            if (profile.Length > 0)
            {
                start.ArgumentList.Insert(start.ArgumentList.IndexOf("config"), "--profile");
                start.ArgumentList.Insert(start.ArgumentList.IndexOf("config"), profile);
            }

            var (exit, output, errors) = await ChildProcess.RunSplitAsync(start, TimeSpan.FromMinutes(1));
            Assert.True(exit == 0, $"compose config failed ({exit}): {errors}");
            var services = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            Assert.Superset(new HashSet<string> { "postgres", "server", "cpu-worker" }, services);
            if (profile == "gpu")
            {
                Assert.Contains("gpu-worker", services);   // (the standalone client lists it without the profile too)
            }
        }

        // The full normal form: no password anywhere in it (secrets are files), and the GPU worker reserves a device.
        var full = ComposeClient.Start("config");
        full.ArgumentList.Insert(full.ArgumentList.IndexOf("config"), "--profile");
        full.ArgumentList.Insert(full.ArgumentList.IndexOf("config"), "gpu");
        var (code, text, problems) = await ChildProcess.RunSplitAsync(full, TimeSpan.FromMinutes(1));
        Assert.True(code == 0, problems);
        Assert.DoesNotContain("Password=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"POSTGRES_PASSWORD\s*:", text);
        Assert.Contains("POSTGRES_PASSWORD_FILE", text);
        Assert.Contains("capabilities", text);
        Assert.Contains("nvidia", text);
        Assert.Matches(@"profiles:\s*\n\s*- gpu", text);
    }

    [Fact]
    public void Compose_file_keeps_passwords_out_of_its_text_and_command_lines()
    {
        var compose = File.ReadAllText(Path.Combine(Docker, "compose.yaml"));
        Assert.DoesNotContain("Password=", compose, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(?m)^\s*POSTGRES_PASSWORD\s*:", compose);
        foreach (var command in CellSegFlowsCommands())
        {
            Assert.DoesNotContain("--store", command.Where(a => a != "--store-file"));
            Assert.DoesNotContain("--quartz-pg", command.Where(a => a != "--quartz-pg-file"));
        }
    }

    [Fact]
    public async Task Every_command_and_option_the_docker_files_use_exists_in_the_command_line()
    {
        var commands = CellSegFlowsCommands();
        Assert.Contains(commands, c => c[0] == "serve");
        Assert.Contains(commands, c => c[0] == "worker" && c.Contains("cuda"));
        Assert.Contains(commands, c => c[0] == "health");
        foreach (var command in commands)
        {
            var (exit, help) = await CliRunner.RunAsync([command[0], "--help"]);
            Assert.True(exit == 0, $"cellsegflows {command[0]} --help: exit {exit}: {help}");
            foreach (var option in command.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            {
                Assert.True(Regex.IsMatch(help, $@"(^|\s){Regex.Escape(option)}(\s|$)", RegexOptions.Multiline), $"cellsegflows {command[0]} has no option {option} (used by docker/: {string.Join(' ', command)})");
            }
        }
    }

    [Fact]
    public void Images_build_with_READMEs_commands()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        foreach (var dockerfile in new[] { "Dockerfile", "Dockerfile.cuda" })
        {
            var builds = File.ReadAllLines(Path.Combine(Docker, dockerfile))
                .Where(l => l.StartsWith("RUN ", StringComparison.Ordinal) && (l.Contains("dotnet ", StringComparison.Ordinal) || l.Contains("npm ", StringComparison.Ordinal)))
                .Select(l => l["RUN ".Length..].Trim())
                .ToList();
            Assert.Equal(2, builds.Count);   // the studio, then the program
            foreach (var build in builds)
            {
                Assert.True(readme.Contains(build, StringComparison.Ordinal), $"docker/{dockerfile} builds with `{build}`, which README does not show");
            }
        }

        Assert.Contains("-p:TorchBackend=cuda", File.ReadAllText(Path.Combine(Docker, "Dockerfile.cuda")));
    }

    [Fact]
    public async Task Secrets_script_writes_connection_strings_the_run_store_accepts_and_keeps_them_on_a_second_run()
    {
        var folder = Path.Combine(TestPaths.NewTempFolder(), "secrets");
        var start = new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(Docker, "make-secrets.sh"), folder } };
        var (exit, output) = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        var password = File.ReadAllText(Path.Combine(folder, "postgres-password.txt")).Trim();
        Assert.True(password.Length >= 24, "the generated password is short");
        foreach (var file in new[] { "run-store.txt", "quartz-store.txt" })
        {
            var connection = File.ReadAllText(Path.Combine(folder, file)).Trim();
            Assert.True(RunStoreOptions.Parse(connection).IsPostgres, $"{file}: not a PostgreSQL connection string");
            Assert.Contains("Password=" + password, connection);
        }

        var before = Directory.GetFiles(folder).ToDictionary(f => f, File.ReadAllText);
        (exit, output) = await ChildProcess.RunAsync(new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(Docker, "make-secrets.sh"), folder } }, TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, output);
        Assert.All(before, p => Assert.Equal(p.Value, File.ReadAllText(p.Key)));
        Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>Every cellsegflows invocation in docker/: compose commands, health checks, the images' CMDs.</summary>
    private static List<string[]> CellSegFlowsCommands()
    {
        var commands = new List<string[]>();
        var compose = File.ReadAllText(Path.Combine(Docker, "compose.yaml"));
        foreach (Match m in ComposeCommand().Matches(compose))
        {
            commands.Add(JsonSerializer.Deserialize<string[]>(m.Groups[1].Value)!);
        }

        foreach (Match m in ComposeTest().Matches(compose))
        {
            var test = JsonSerializer.Deserialize<string[]>(m.Groups[1].Value)!;
            var words = test[0] == "CMD" ? test[1..] : test[1].Split(' ');
            if (words[0] == "/app/cellsegflows")
            {
                commands.Add([.. words[1..]]);
            }
        }

        foreach (var dockerfile in new[] { "Dockerfile", "Dockerfile.cuda" })
        {
            var cmd = File.ReadAllLines(Path.Combine(Docker, dockerfile)).Single(l => l.StartsWith("CMD ", StringComparison.Ordinal));
            commands.Add(JsonSerializer.Deserialize<string[]>(cmd["CMD ".Length..])!);
        }

        // Every service block with a command has it in the one form parsed above.
        Assert.Equal(Regex.Matches(compose, @"(?m)^\s+command:").Count, ComposeCommand().Matches(compose).Count);
        return commands;
    }

    [GeneratedRegex(@"(?m)^\s+command:\s*(\[[^\]]*\])")]
    private static partial Regex ComposeCommand();

    [GeneratedRegex(@"(?m)^\s+test:\s*(\[.*\])\s*$")]
    private static partial Regex ComposeTest();
}

/// <summary>The compose client: the docker CLI's compose plugin, else the standalone docker-compose (Debian's package).</summary>
internal static class ComposeClient
{
    private static readonly Lazy<string[]?> Command = new(Find);

    public static string? Unavailable => Command.Value is null ? "neither `docker compose` nor `docker-compose` runs on this machine (.ci/run installs Debian's docker-compose)" : null;

    public static ProcessStartInfo Start(params string[] args)
    {
        var command = Command.Value ?? throw new InvalidOperationException(Unavailable);
        var start = new ProcessStartInfo(command[0]);
        start.Environment["DOTNET_IMAGES"] = "images.example.invalid/dotnet";   // a user sets where Microsoft's images are (README)
        foreach (var part in command.Skip(1).Concat(["-f", Path.Combine(TestPaths.RepoRoot, "docker", "compose.yaml")]).Concat(args))
        {
            start.ArgumentList.Add(part);
        }

        return start;
    }

    private static string[]? Find()
    {
        foreach (var candidate in new[] { new[] { "docker", "compose" }, new[] { "docker-compose" } })
        {
            try
            {
                var start = new ProcessStartInfo(candidate[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var part in candidate.Skip(1).Append("version"))
                {
                    start.ArgumentList.Add(part);
                }

                using var process = Process.Start(start)!;
                process.StandardOutput.ReadToEnd();
                process.StandardError.ReadToEnd();
                if (process.WaitForExit(30_000) && process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed.
            }
        }

        return null;
    }
}

/// <summary>A test that needs a compose client; skipped, saying why, only when none can run at all.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerComposeFactAttribute : FactAttribute
{
    public DockerComposeFactAttribute()
    {
        if (ComposeClient.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
