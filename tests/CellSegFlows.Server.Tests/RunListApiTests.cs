using System.Net;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Server.Tests;

/// <summary>The runs list at scale: filters, search and keyset pages, answered in SQL over real HTTP.</summary>
public sealed class RunListApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    /// <summary>Writes run records straight into the store (what a run's start writes), so a test can have hundreds.</summary>
    private async Task<List<RunRecord>> AddRunsAsync(string workflow, int count, DateTimeOffset start, Func<int, RunRecord, RunRecord>? shape = null)
    {
        var runs = Enumerable.Range(0, count).Select(i =>
        {
            var run = new RunRecord
            {
                Id = $"{workflow}-{i:D5}-{Guid.NewGuid().ToString("N")[..4]}", WorkflowId = workflow, DefinitionHash = new string('a', 64),
                ParametersJson = new JsonObject { ["seed"] = i, ["dataset"] = $"set-{i % 7}" }.ToJsonString(), Trigger = "manual", StartedBy = "operator",
                Status = RunStatus.Succeeded,

                // Every third run shares its start time with the one before: the id breaks the tie.
                CreatedAt = start.AddSeconds(i - (i % 3 == 2 ? 1 : 0)),
            };
            return shape is null ? run : shape(i, run);
        }).ToList();
        await S.Engine.Store.WriteAsync(async db =>
        {
            db.Runs.AddRange(runs);
            await Task.CompletedTask;
            return 0;
        });
        return runs;
    }

    private static async Task<(List<string> Ids, string? Next, HttpResponseMessage Response)> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"api/runs?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var ids = (await TestServer.ReadJsonAsync(response)).AsArray().Select(r => r!["id"].Str()).ToList();
        return (ids, response.Headers.TryGetValues("X-Next-Cursor", out var v) ? v.Single() : null, response);
    }

    [Fact]
    public async Task Pages_walk_every_run_once_newest_first_while_new_runs_start_between_pages()
    {
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        var existing = await AddRunsAsync("paging", 250, start);
        using var key = S.WithKey();
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (ids, next, response) = await PageAsync(key, $"workflow=paging&limit=37{(cursor is null ? string.Empty : $"&cursor={cursor}")}");
            Assert.True(ids.Count == 37 || next is null, "only the last page is short");
            if (next is not null)
            {
                Assert.Contains($"cursor={next}", response.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
                Assert.Contains("workflow=paging", response.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
            }

            seen.AddRange(ids);
            cursor = next;
            pages++;

            // Runs that start while someone pages, newer than everything listed: the next page must not shift.
            await AddRunsAsync("paging", 3, DateTimeOffset.UtcNow.AddMinutes(pages));
        }
        while (cursor is not null);

        Assert.Equal(7, pages);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var expected = existing.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id).ToList();
        Assert.Equal(expected, seen);

        // The runs that started meanwhile are on the first page of a fresh walk.
        var (first, _, _) = await PageAsync(key, "workflow=paging&limit=21");
        Assert.Equal(21, first.Count);
        Assert.All(first, id => Assert.DoesNotContain(id, seen));
    }

    [Fact]
    public async Task Filters_on_status_trigger_starter_and_start_time_combine()
    {
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var runs = await AddRunsAsync("filters", 60, start, (i, r) =>
        {
            r.Status = (RunStatus)(i % 5);
            r.Trigger = i % 4 == 0 ? "cron" : "manual";
            r.StartedBy = i % 2 == 0 ? "nightly" : "ana";
            return r;
        });
        using var key = S.WithKey();
        var (failedOrCancelled, _, _) = await PageAsync(key, "workflow=filters&status=failed,Cancelled&limit=1000");
        Assert.Equal(runs.Where(r => r.Status is RunStatus.Failed or RunStatus.Cancelled).Select(r => r.Id).Order(StringComparer.Ordinal), failedOrCancelled.Order(StringComparer.Ordinal));

        var (cronByNightly, _, _) = await PageAsync(key, "workflow=filters&trigger=cron&startedBy=nightly");
        Assert.Equal(15, cronByNightly.Count);

        // A window given in another time zone means the same instants; both ends are included.
        var from = start.AddSeconds(10).ToOffset(TimeSpan.FromHours(2));
        var to = start.AddSeconds(20).ToOffset(TimeSpan.FromHours(-5));
        var (window, _, _) = await PageAsync(key, $"workflow=filters&from={Uri.EscapeDataString(from.ToString("o"))}&to={Uri.EscapeDataString(to.ToString("o"))}");
        Assert.Equal(runs.Where(r => r.CreatedAt >= from && r.CreatedAt <= to).Select(r => r.Id).Order(StringComparer.Ordinal), window.Order(StringComparer.Ordinal));
        Assert.NotEmpty(window);

        var (none, next, _) = await PageAsync(key, "workflow=filters&status=Running&trigger=resume");
        Assert.Empty(none);
        Assert.Null(next);
    }

    [Fact]
    public async Task Search_finds_parameter_values_case_insensitively_and_not_parameter_names()
    {
        var runs = await AddRunsAsync("search", 40, DateTimeOffset.UtcNow.AddDays(-1), (i, r) =>
        {
            r.ParametersJson = i switch
            {
                // Written as the engine writes them (default escapes: '+' and '"' and 'ö' are \u escapes in the stored text).
                3 => new JsonObject { ["dataset"] = "LIVECell-A172", ["lr"] = 0.001 }.ToJsonString(),
                17 => new JsonObject { ["dataset"] = "livecell-a172+bt474", ["lr"] = 0.01 }.ToJsonString(),
                29 => new JsonObject { ["note"] = "Größe \"quoted\"", ["lr"] = 0.25 }.ToJsonString(),
                _ => r.ParametersJson,
            };
            return r;
        });
        using var key = S.WithKey();
        var (a172, _, _) = await PageAsync(key, "workflow=search&q=a172");
        Assert.Equal([runs[17].Id, runs[3].Id], a172);
        var (plus, _, _) = await PageAsync(key, $"workflow=search&q={Uri.EscapeDataString("A172+BT")}");
        Assert.Equal([runs[17].Id], plus);
        var (number, _, _) = await PageAsync(key, "workflow=search&q=0.25");
        Assert.Equal([runs[29].Id], number);
        var (quoted, _, _) = await PageAsync(key, $"workflow=search&q={Uri.EscapeDataString("Größe \"quoted")}");
        Assert.Equal([runs[29].Id], quoted);

        // LIKE's wildcards are plain characters in a search: "set_3" is not "set-3", "%" is no value here.
        Assert.Empty((await PageAsync(key, "workflow=search&q=set_3")).Ids);
        Assert.Empty((await PageAsync(key, "workflow=search&q=%25")).Ids);

        // "dataset" is a name in every run, a value in none.
        var (name, _, _) = await PageAsync(key, "workflow=search&q=dataset");
        Assert.Empty(name);

        // A rarer match still fills pages in order: set-3 is every 7th run (4 left after the three above).
        var (first, next, _) = await PageAsync(key, "workflow=search&q=set-3&limit=3");
        var (second, end, _) = await PageAsync(key, $"workflow=search&q=set-3&limit=3&cursor={next}");
        var expected = runs.Where(r => r.ParametersJson.Contains("\"set-3\"", StringComparison.Ordinal)).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id).ToList();
        Assert.Equal(4, expected.Count);
        Assert.Equal(expected, first.Concat(second).ToList());
        Assert.Null(end);
    }

    [Theory]
    [InlineData("limit=0", "limit: 1 to 1000")]
    [InlineData("limit=1001", "limit: 1 to 1000")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor: not one a runs page gave")]
    [InlineData("cursor=%25%25%25", "cursor: not one a runs page gave")]
    [InlineData("status=Succeeded,Sleeping", "status 'Sleeping'")]
    [InlineData("from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z", "from is after to")]
    public async Task Bad_page_requests_get_one_clear_400(string query, string message)
    {
        using var key = S.WithKey();
        var response = await key.GetAsync($"api/runs?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await TestServer.ReadJsonAsync(response))["detail"].Str(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_longer_than_200_characters_is_refused_and_the_largest_page_is_1000()
    {
        await AddRunsAsync("bounds", 1005, DateTimeOffset.UtcNow.AddDays(-2));
        using var key = S.WithKey();
        var response = await key.GetAsync($"api/runs?q={new string('x', 201)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("q: at most 200 characters", (await TestServer.ReadJsonAsync(response))["detail"].Str(), StringComparison.Ordinal);

        var (page, next, _) = await PageAsync(key, "workflow=bounds&limit=1000");
        Assert.Equal(1000, page.Count);
        var (rest, end, _) = await PageAsync(key, $"workflow=bounds&limit=1000&cursor={next}");
        Assert.Equal(5, rest.Count);
        Assert.Null(end);
        var (defaults, _, _) = await PageAsync(key, "workflow=bounds");
        Assert.Equal(100, defaults.Count);
        Assert.IsType<JsonArray>(await TestServer.ReadJsonAsync(await key.GetAsync("api/runs?workflow=bounds&limit=1")));
    }
}
