using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Persistence;

// PostgreSQL keeps a prepared statement's generic plan once it has chosen one. A plan made while
// the queue table was small (a sequential scan) would read every dead row once the table has
// filled with rows deleted since the last vacuum. The statements that find work items by id are
// planned for the table as it is at each execution instead, and only they are.
public sealed class QueuePlanTests
{
    [Fact]
    public async Task DeleteLeased_QueueTableGrewWithDeadRowsAfterItsPlansWereMade_FindsItemsThroughTheIndex()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        var store = (PostgresEngineStore)engine.Services.GetRequiredService<EngineStore>();
        await using var admin = new NpgsqlConnection(engine.Connection);
        await admin.OpenAsync();

        // Statistics that say the table is tiny, and no vacuum to clean up after the churn below.
        await ExecuteAsync(admin, "ALTER TABLE tf_work_items SET (autovacuum_enabled = false); ANALYZE tf_work_items");
        ClaimedWork[] items = [.. Enumerable.Range(1, 3).Select(i => new ClaimedWork(i, 1, "missing", "n" + i, 0, false, null, "d", 1, 0))];

        // More executions than PostgreSQL needs before it settles on a generic plan.
        for (var i = 0; i < 12; i++)
        {
            await DeleteLeasedAsync(store, items);
        }

        await FlushStoreStatisticsAsync(store, items);

        // 40,000 rows added and deleted: the table now has hundreds of pages of dead rows.
        await ExecuteAsync(admin, """
            INSERT INTO tf_work_items (instance_id, node_id, attempt, priority, visible_at, owner, claims, resume, payload, definition_id, definition_version)
            SELECT 'churn', 'n' || g, 0, 0, 0, NULL, 0, false, NULL, 'd', 1 FROM generate_series(1, 40000) g;
            DELETE FROM tf_work_items WHERE instance_id = 'churn'
            """);
        await ExecuteAsync(admin, "SELECT pg_stat_force_next_flush()");
        var pages = await PagesAsync(admin);
        Assert.True(pages > 200, $"the table has {pages} pages");
        var before = await HeapBlocksReadAsync(admin);

        for (var i = 0; i < 5; i++)
        {
            await DeleteLeasedAsync(store, items);
        }

        await FlushStoreStatisticsAsync(store, items);
        var read = await HeapBlocksReadAsync(admin) - before;

        // Six deletes of three ids each: through the primary key that is a handful of pages; a
        // sequential scan would read all of the table's pages every time.
        Assert.True(read > 0, "the store's counters were not reported");
        Assert.True(read < pages, $"six deletes of three items read {read} pages of a {pages}-page table");
    }

    [Fact]
    public async Task DeleteLeased_InATransaction_LeavesThePlanModeAsConfiguredForTheStatementsAfterIt()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        var store = (PostgresEngineStore)engine.Services.GetRequiredService<EngineStore>();
        await using var session = await store.BeginAsync(CancellationToken.None);

        var accepted = await store.DeleteLeasedAsync(session, [new ClaimedWork(1, 1, "missing", "n", 0, false, null, "d", 1, 0)], CancellationToken.None);

        Assert.Empty(accepted);
        await using var show = session.Command("SHOW plan_cache_mode");
        Assert.Equal("auto", await show.ExecuteScalarAsync());
    }

    private static async Task DeleteLeasedAsync(PostgresEngineStore store, IReadOnlyList<ClaimedWork> items)
    {
        await using var session = await store.BeginAsync(CancellationToken.None);
        Assert.Empty(await store.DeleteLeasedAsync(session, items, CancellationToken.None));
    }

    // A backend reports its table counters at the end of a transaction at most once a second:
    // one more statement after that second makes the store's connection report what it did.
    private static async Task FlushStoreStatisticsAsync(PostgresEngineStore store, IReadOnlyList<ClaimedWork> items)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await DeleteLeasedAsync(store, items);
    }

    // Heap pages read or found in the cache (bitmap heap scans count as sequential scans in
    // pg_stat_user_tables on PostgreSQL 15, so the scan counters cannot tell the two apart).
    private static async Task<long> HeapBlocksReadAsync(NpgsqlConnection admin) =>
        await ScalarAsync(admin, "SELECT coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0) FROM pg_statio_user_tables WHERE relname = 'tf_work_items'");

    private static Task<long> PagesAsync(NpgsqlConnection admin) =>
        ScalarAsync(admin, "SELECT pg_relation_size('tf_work_items') / current_setting('block_size')::bigint");

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
