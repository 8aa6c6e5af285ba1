using Microsoft.EntityFrameworkCore;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The schema, shared by both providers. EF Core owns the schema and its migrations and serves
/// the read side; the dispatch hot path uses hand-written SQL on the same tables (see
/// <see cref="EngineStore"/>), because per-row change tracking would cost more than the work.
/// </summary>
public abstract class TaskFlowDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<DefinitionRecord> Definitions => Set<DefinitionRecord>();

    public DbSet<InstanceRecord> Instances => Set<InstanceRecord>();

    public DbSet<NodeStateRecord> NodeStates => Set<NodeStateRecord>();

    public DbSet<WorkItemRecord> WorkItems => Set<WorkItemRecord>();

    public DbSet<JournalRecord> Journal => Set<JournalRecord>();

    public DbSet<StartKeyRecord> StartKeys => Set<StartKeyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DefinitionRecord>(e =>
        {
            e.ToTable("tf_definitions");
            e.HasKey(x => new { x.DefinitionId, x.Version });
            e.Property(x => x.DefinitionId).HasColumnName("definition_id").HasMaxLength(128);
            e.Property(x => x.Version).HasColumnName("version");
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Json).HasColumnName("json");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.IsDeleted).HasColumnName("is_deleted");
            e.Property(x => x.IsPublished).HasColumnName("is_published");
        });

        modelBuilder.Entity<StartKeyRecord>(e =>
        {
            e.ToTable("tf_start_keys");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasColumnName("start_key").HasMaxLength(400);
            e.Property(x => x.InstanceId).HasColumnName("instance_id").HasMaxLength(40);
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => x.InstanceId).HasDatabaseName("ix_tf_start_keys_instance");
        });

        modelBuilder.Entity<InstanceRecord>(e =>
        {
            e.ToTable("tf_instances");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").HasMaxLength(40);
            e.Property(x => x.DefinitionId).HasColumnName("definition_id").HasMaxLength(128);
            e.Property(x => x.DefinitionVersion).HasColumnName("definition_version");
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.ActiveNodes).HasColumnName("active_nodes");
            e.Property(x => x.Depth).HasColumnName("depth");
            e.Property(x => x.ParentInstanceId).HasColumnName("parent_instance_id").HasMaxLength(40);
            e.Property(x => x.ParentNodeId).HasColumnName("parent_node_id");
            e.Property(x => x.ParentAttempt).HasColumnName("parent_attempt");
            e.Property(x => x.Input).HasColumnName("input");
            e.Property(x => x.Variables).HasColumnName("variables");
            e.Property(x => x.Output).HasColumnName("output");
            e.Property(x => x.Error).HasColumnName("error");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.FinishedAt).HasColumnName("finished_at");
            e.Property(x => x.CorrelationId).HasColumnName("correlation_id").HasMaxLength(TaskFlow.Engine.Instances.InstanceFilter.CorrelationIdMaxLength);
            e.Property(x => x.TraceParent).HasColumnName("trace_parent").HasMaxLength(55);
            e.HasIndex(x => new { x.Status, x.FinishedAt }).HasDatabaseName("ix_tf_instances_status_finished");
            e.HasIndex(x => x.ParentInstanceId).HasDatabaseName("ix_tf_instances_parent");
            e.HasIndex(x => new { x.DefinitionId, x.CreatedAt }).HasDatabaseName("ix_tf_instances_definition");
            e.HasIndex(x => new { x.CreatedAt, x.Id }).HasDatabaseName("ix_tf_instances_created");
            e.HasIndex(x => x.CorrelationId).HasDatabaseName("ix_tf_instances_correlation");
        });

        modelBuilder.Entity<NodeStateRecord>(e =>
        {
            e.ToTable("tf_node_states");
            e.HasKey(x => new { x.InstanceId, x.NodeId });
            e.Property(x => x.InstanceId).HasColumnName("instance_id").HasMaxLength(40);
            e.Property(x => x.NodeId).HasColumnName("node_id").HasMaxLength(160);
            e.Property(x => x.Status).HasColumnName("status");
            e.Property(x => x.Attempt).HasColumnName("attempt");
            e.Property(x => x.Arrived).HasColumnName("arrived");
            e.Property(x => x.Dead).HasColumnName("dead");
            e.Property(x => x.ItemsTotal).HasColumnName("items_total");
            e.Property(x => x.ItemsStarted).HasColumnName("items_started");
            e.Property(x => x.ItemsDone).HasColumnName("items_done");
            e.Property(x => x.Output).HasColumnName("output");
            e.Property(x => x.Error).HasColumnName("error");
            e.Property(x => x.Data).HasColumnName("data");
            e.Property(x => x.FinishedAt).HasColumnName("finished_at");
        });

        modelBuilder.Entity<WorkItemRecord>(e =>
        {
            e.ToTable("tf_work_items");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            e.Property(x => x.InstanceId).HasColumnName("instance_id").HasMaxLength(40);
            e.Property(x => x.NodeId).HasColumnName("node_id").HasMaxLength(160);
            e.Property(x => x.Attempt).HasColumnName("attempt");
            e.Property(x => x.Priority).HasColumnName("priority");
            e.Property(x => x.VisibleAt).HasColumnName("visible_at");
            e.Property(x => x.Owner).HasColumnName("owner");
            e.Property(x => x.Claims).HasColumnName("claims");
            e.Property(x => x.Resume).HasColumnName("resume");
            e.Property(x => x.Payload).HasColumnName("payload");
            e.Property(x => x.DefinitionId).HasColumnName("definition_id").HasMaxLength(128);
            e.Property(x => x.DefinitionVersion).HasColumnName("definition_version");
            e.HasIndex(x => x.VisibleAt).HasDatabaseName("ix_tf_work_items_visible");
            e.HasIndex(x => new { x.InstanceId, x.NodeId }).HasDatabaseName("ix_tf_work_items_instance");
        });

        modelBuilder.Entity<JournalRecord>(e =>
        {
            e.ToTable("tf_journal");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").ValueGeneratedOnAdd();
            e.Property(x => x.InstanceId).HasColumnName("instance_id").HasMaxLength(40);
            e.Property(x => x.NodeId).HasColumnName("node_id").HasMaxLength(160);
            e.Property(x => x.Type).HasColumnName("type");
            e.Property(x => x.Attempt).HasColumnName("attempt");
            e.Property(x => x.At).HasColumnName("at");
            e.Property(x => x.Worker).HasColumnName("worker");
            e.Property(x => x.Message).HasColumnName("message");
            e.HasIndex(x => new { x.InstanceId, x.Id }).HasDatabaseName("ix_tf_journal_instance");
        });
    }
}

/// <summary>The SQLite flavour; its migrations live in Persistence/Migrations/Sqlite.</summary>
public sealed class SqliteTaskFlowDbContext(DbContextOptions<SqliteTaskFlowDbContext> options) : TaskFlowDbContext(options);

/// <summary>The PostgreSQL flavour; its migrations live in Persistence/Migrations/Postgres.</summary>
public sealed class PostgresTaskFlowDbContext(DbContextOptions<PostgresTaskFlowDbContext> options) : TaskFlowDbContext(options);
