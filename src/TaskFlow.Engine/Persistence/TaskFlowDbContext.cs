using Microsoft.EntityFrameworkCore;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The schema, shared by both providers; its table and column names come from <see cref="StoreSchema"/>.
/// EF Core owns the schema and its migrations and serves
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
            e.ToTable(StoreSchema.Definitions.Table);
            e.HasKey(x => new { x.DefinitionId, x.Version });
            e.Property(x => x.DefinitionId).HasColumnName(StoreSchema.Definitions.DefinitionId).HasMaxLength(128);
            e.Property(x => x.Version).HasColumnName(StoreSchema.Definitions.Version);
            e.Property(x => x.Name).HasColumnName(StoreSchema.Definitions.Name);
            e.Property(x => x.Json).HasColumnName(StoreSchema.Definitions.Json);
            e.Property(x => x.CreatedAt).HasColumnName(StoreSchema.Definitions.CreatedAt);
            e.Property(x => x.IsDeleted).HasColumnName(StoreSchema.Definitions.IsDeleted);
            e.Property(x => x.IsPublished).HasColumnName(StoreSchema.Definitions.IsPublished);
        });

        modelBuilder.Entity<StartKeyRecord>(e =>
        {
            e.ToTable(StoreSchema.StartKeys.Table);
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasColumnName(StoreSchema.StartKeys.Key).HasMaxLength(400);
            e.Property(x => x.InstanceId).HasColumnName(StoreSchema.StartKeys.InstanceId).HasMaxLength(40);
            e.Property(x => x.CreatedAt).HasColumnName(StoreSchema.StartKeys.CreatedAt);
            e.HasIndex(x => x.InstanceId).HasDatabaseName("ix_tf_start_keys_instance");
        });

        modelBuilder.Entity<InstanceRecord>(e =>
        {
            e.ToTable(StoreSchema.Instances.Table);
            e.HasKey(x => x.Id);

            // The row version a guarded commit checks is PostgreSQL's own xmin, not a column.
            e.Ignore(x => x.RowVersion);
            e.Property(x => x.Id).HasColumnName(StoreSchema.Instances.Id).HasMaxLength(40);
            e.Property(x => x.DefinitionId).HasColumnName(StoreSchema.Instances.DefinitionId).HasMaxLength(128);
            e.Property(x => x.DefinitionVersion).HasColumnName(StoreSchema.Instances.DefinitionVersion);
            e.Property(x => x.Status).HasColumnName(StoreSchema.Instances.Status);
            e.Property(x => x.ActiveNodes).HasColumnName(StoreSchema.Instances.ActiveNodes);
            e.Property(x => x.Depth).HasColumnName(StoreSchema.Instances.Depth);
            e.Property(x => x.ParentInstanceId).HasColumnName(StoreSchema.Instances.ParentInstanceId).HasMaxLength(40);
            e.Property(x => x.ParentNodeId).HasColumnName(StoreSchema.Instances.ParentNodeId);
            e.Property(x => x.ParentAttempt).HasColumnName(StoreSchema.Instances.ParentAttempt);
            e.Property(x => x.Input).HasColumnName(StoreSchema.Instances.Input);
            e.Property(x => x.Variables).HasColumnName(StoreSchema.Instances.Variables);
            e.Property(x => x.Output).HasColumnName(StoreSchema.Instances.Output);
            e.Property(x => x.Error).HasColumnName(StoreSchema.Instances.Error);
            e.Property(x => x.CreatedAt).HasColumnName(StoreSchema.Instances.CreatedAt);
            e.Property(x => x.UpdatedAt).HasColumnName(StoreSchema.Instances.UpdatedAt);
            e.Property(x => x.FinishedAt).HasColumnName(StoreSchema.Instances.FinishedAt);
            e.Property(x => x.CorrelationId).HasColumnName(StoreSchema.Instances.CorrelationId).HasMaxLength(TaskFlow.Engine.Instances.InstanceFilter.CorrelationIdMaxLength);
            e.Property(x => x.TraceParent).HasColumnName(StoreSchema.Instances.TraceParent).HasMaxLength(55);
            e.HasIndex(x => new { x.Status, x.FinishedAt }).HasDatabaseName("ix_tf_instances_status_finished");
            e.HasIndex(x => x.ParentInstanceId).HasDatabaseName("ix_tf_instances_parent");
            e.HasIndex(x => new { x.DefinitionId, x.CreatedAt }).HasDatabaseName("ix_tf_instances_definition");
            e.HasIndex(x => new { x.CreatedAt, x.Id }).HasDatabaseName("ix_tf_instances_created");
            e.HasIndex(x => x.CorrelationId).HasDatabaseName("ix_tf_instances_correlation");
        });

        modelBuilder.Entity<NodeStateRecord>(e =>
        {
            e.ToTable(StoreSchema.NodeStates.Table);
            e.HasKey(x => new { x.InstanceId, x.NodeId });
            e.Property(x => x.InstanceId).HasColumnName(StoreSchema.NodeStates.InstanceId).HasMaxLength(40);
            e.Property(x => x.NodeId).HasColumnName(StoreSchema.NodeStates.NodeId).HasMaxLength(160);
            e.Property(x => x.Status).HasColumnName(StoreSchema.NodeStates.Status);
            e.Property(x => x.Attempt).HasColumnName(StoreSchema.NodeStates.Attempt);
            e.Property(x => x.Arrived).HasColumnName(StoreSchema.NodeStates.Arrived);
            e.Property(x => x.Dead).HasColumnName(StoreSchema.NodeStates.Dead);
            e.Property(x => x.ItemsTotal).HasColumnName(StoreSchema.NodeStates.ItemsTotal);
            e.Property(x => x.ItemsStarted).HasColumnName(StoreSchema.NodeStates.ItemsStarted);
            e.Property(x => x.ItemsDone).HasColumnName(StoreSchema.NodeStates.ItemsDone);
            e.Property(x => x.Output).HasColumnName(StoreSchema.NodeStates.Output);
            e.Property(x => x.Error).HasColumnName(StoreSchema.NodeStates.Error);
            e.Property(x => x.Data).HasColumnName(StoreSchema.NodeStates.Data);
            e.Property(x => x.FinishedAt).HasColumnName(StoreSchema.NodeStates.FinishedAt);
        });

        modelBuilder.Entity<WorkItemRecord>(e =>
        {
            e.ToTable(StoreSchema.WorkItems.Table);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName(StoreSchema.WorkItems.Id).ValueGeneratedOnAdd();
            e.Property(x => x.InstanceId).HasColumnName(StoreSchema.WorkItems.InstanceId).HasMaxLength(40);
            e.Property(x => x.NodeId).HasColumnName(StoreSchema.WorkItems.NodeId).HasMaxLength(160);
            e.Property(x => x.Attempt).HasColumnName(StoreSchema.WorkItems.Attempt);
            e.Property(x => x.Priority).HasColumnName(StoreSchema.WorkItems.Priority);
            e.Property(x => x.VisibleAt).HasColumnName(StoreSchema.WorkItems.VisibleAt);
            e.Property(x => x.Owner).HasColumnName(StoreSchema.WorkItems.Owner);
            e.Property(x => x.Claims).HasColumnName(StoreSchema.WorkItems.Claims);
            e.Property(x => x.Resume).HasColumnName(StoreSchema.WorkItems.Resume);
            e.Property(x => x.Payload).HasColumnName(StoreSchema.WorkItems.Payload);
            e.Property(x => x.DefinitionId).HasColumnName(StoreSchema.WorkItems.DefinitionId).HasMaxLength(128);
            e.Property(x => x.DefinitionVersion).HasColumnName(StoreSchema.WorkItems.DefinitionVersion);
            e.HasIndex(x => x.VisibleAt).HasDatabaseName("ix_tf_work_items_visible");
            e.HasIndex(x => new { x.InstanceId, x.NodeId }).HasDatabaseName("ix_tf_work_items_instance");
        });

        modelBuilder.Entity<JournalRecord>(e =>
        {
            e.ToTable(StoreSchema.Journal.Table);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName(StoreSchema.Journal.Id).ValueGeneratedOnAdd();
            e.Property(x => x.InstanceId).HasColumnName(StoreSchema.Journal.InstanceId).HasMaxLength(40);
            e.Property(x => x.NodeId).HasColumnName(StoreSchema.Journal.NodeId).HasMaxLength(160);
            e.Property(x => x.Type).HasColumnName(StoreSchema.Journal.Type);
            e.Property(x => x.Attempt).HasColumnName(StoreSchema.Journal.Attempt);
            e.Property(x => x.At).HasColumnName(StoreSchema.Journal.At);
            e.Property(x => x.Worker).HasColumnName(StoreSchema.Journal.Worker);
            e.Property(x => x.Message).HasColumnName(StoreSchema.Journal.Message);
            e.HasIndex(x => new { x.InstanceId, x.Id }).HasDatabaseName("ix_tf_journal_instance");
        });
    }
}

/// <summary>The SQLite flavour; its migrations live in Persistence/Migrations/Sqlite.</summary>
public sealed class SqliteTaskFlowDbContext(DbContextOptions<SqliteTaskFlowDbContext> options) : TaskFlowDbContext(options);

/// <summary>The PostgreSQL flavour; its migrations live in Persistence/Migrations/Postgres.</summary>
public sealed class PostgresTaskFlowDbContext(DbContextOptions<PostgresTaskFlowDbContext> options) : TaskFlowDbContext(options);
