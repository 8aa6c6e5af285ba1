namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The one home of the engine's core tables and their column names. The EF model (which owns the
/// migrations of both providers) maps every column from here, the row readers (<see cref="SqlReaders"/>)
/// read the lists below in their order, and both providers' statements take their table names and
/// column lists from here. What differs between the dialects (how rows are packed, how rows are
/// locked, how a guarded batch aborts) stays in <see cref="SqliteEngineStore"/> and
/// <see cref="PostgresEngineStore"/>. <c>EngineStoreContractTests</c> checks that the model and
/// both migrated databases have exactly these columns.
/// </summary>
internal static class StoreSchema
{
    public static class Definitions
    {
        public const string Table = "tf_definitions";
        public const string DefinitionId = "definition_id";
        public const string Version = "version";
        public const string Name = "name";
        public const string Json = "json";
        public const string CreatedAt = "created_at";
        public const string IsDeleted = "is_deleted";
        public const string IsPublished = "is_published";

        /// <summary>Every column, in the order <see cref="SqlReaders.Definition"/> reads them.</summary>
        public const string Columns = $"{DefinitionId}, {Version}, {Name}, {Json}, {CreatedAt}, {IsDeleted}, {IsPublished}";
    }

    public static class StartKeys
    {
        public const string Table = "tf_start_keys";
        public const string Key = "start_key";
        public const string InstanceId = "instance_id";
        public const string CreatedAt = "created_at";

        public const string Columns = $"{Key}, {InstanceId}, {CreatedAt}";
    }

    public static class Instances
    {
        public const string Table = "tf_instances";
        public const string Id = "id";
        public const string DefinitionId = "definition_id";
        public const string DefinitionVersion = "definition_version";
        public const string Status = "status";
        public const string ActiveNodes = "active_nodes";
        public const string Depth = "depth";
        public const string ParentInstanceId = "parent_instance_id";
        public const string ParentNodeId = "parent_node_id";
        public const string ParentAttempt = "parent_attempt";
        public const string Input = "input";
        public const string Variables = "variables";
        public const string Output = "output";
        public const string Error = "error";
        public const string CreatedAt = "created_at";
        public const string UpdatedAt = "updated_at";
        public const string FinishedAt = "finished_at";
        public const string CorrelationId = "correlation_id";
        public const string TraceParent = "trace_parent";

        /// <summary>The columns the engine reads and writes with a row, in the order <see cref="SqlReaders.Instance"/> reads them.</summary>
        public const string Columns = $"{Id}, {DefinitionId}, {DefinitionVersion}, {Status}, {ActiveNodes}, {Depth}, {ParentInstanceId}, {ParentNodeId}, {ParentAttempt}, {Input}, {Variables}, {Output}, {Error}, {CreatedAt}, {UpdatedAt}, {FinishedAt}";

        /// <summary>Every column: <see cref="Columns"/> and the two set apart from the hot path.</summary>
        public const string AllColumns = $"{Columns}, {CorrelationId}, {TraceParent}";
    }

    public static class NodeStates
    {
        public const string Table = "tf_node_states";
        public const string InstanceId = "instance_id";
        public const string NodeId = "node_id";
        public const string Status = "status";
        public const string Attempt = "attempt";
        public const string Arrived = "arrived";
        public const string Dead = "dead";
        public const string ItemsTotal = "items_total";
        public const string ItemsStarted = "items_started";
        public const string ItemsDone = "items_done";
        public const string Output = "output";
        public const string Error = "error";
        public const string Data = "data";
        public const string FinishedAt = "finished_at";

        /// <summary>Every column, in the order <see cref="SqlReaders.State"/> reads them.</summary>
        public const string Columns = $"{InstanceId}, {NodeId}, {Status}, {Attempt}, {Arrived}, {Dead}, {ItemsTotal}, {ItemsStarted}, {ItemsDone}, {Output}, {Error}, {Data}, {FinishedAt}";

        /// <summary>
        /// The upsert of <see cref="Columns"/> (both dialects spell it alike): the last write of a
        /// node wins, every column but the key.
        /// </summary>
        public const string Upsert = $"""
            ON CONFLICT ({InstanceId}, {NodeId}) DO UPDATE SET {Status} = excluded.{Status}, {Attempt} = excluded.{Attempt},
              {Arrived} = excluded.{Arrived}, {Dead} = excluded.{Dead}, {ItemsTotal} = excluded.{ItemsTotal}, {ItemsStarted} = excluded.{ItemsStarted},
              {ItemsDone} = excluded.{ItemsDone}, {Output} = excluded.{Output}, {Error} = excluded.{Error}, {Data} = excluded.{Data}, {FinishedAt} = excluded.{FinishedAt}
            """;
    }

    public static class WorkItems
    {
        public const string Table = "tf_work_items";
        public const string Id = "id";
        public const string InstanceId = "instance_id";
        public const string NodeId = "node_id";
        public const string Attempt = "attempt";
        public const string Priority = "priority";
        public const string VisibleAt = "visible_at";
        public const string Owner = "owner";
        public const string Claims = "claims";
        public const string Resume = "resume";
        public const string Payload = "payload";
        public const string DefinitionId = "definition_id";
        public const string DefinitionVersion = "definition_version";

        /// <summary>The columns a new item is inserted with (the id is generated), in this order in both providers.</summary>
        public const string InsertColumns = $"{InstanceId}, {NodeId}, {Attempt}, {Priority}, {VisibleAt}, {Owner}, {Claims}, {Resume}, {Payload}, {DefinitionId}, {DefinitionVersion}";

        /// <summary>What an insert returns to match ids to the items written.</summary>
        public const string InsertReturning = $"{Id}, {InstanceId}, {NodeId}, {Attempt}, {Resume}";

        /// <summary>A claimed item, in the order <see cref="SqlReaders.Claimed"/> reads it.</summary>
        public const string ClaimedColumns = $"{Id}, {Claims}, {InstanceId}, {NodeId}, {Attempt}, {Resume}, {Payload}, {DefinitionId}, {DefinitionVersion}, {Priority}";

        public const string AllColumns = $"{Id}, {InsertColumns}";
    }

    public static class Journal
    {
        public const string Table = "tf_journal";
        public const string Id = "id";
        public const string InstanceId = "instance_id";
        public const string NodeId = "node_id";
        public const string Type = "type";
        public const string Attempt = "attempt";
        public const string At = "at";
        public const string Worker = "worker";
        public const string Message = "message";

        /// <summary>The columns a line is inserted with (the id is generated), in this order in both providers.</summary>
        public const string InsertColumns = $"{InstanceId}, {NodeId}, {Type}, {Attempt}, {At}, {Worker}, {Message}";

        public const string AllColumns = $"{Id}, {InsertColumns}";
    }

    /// <summary>Each table with every column it has, for the check that the model and the migrated databases agree.</summary>
    public static IReadOnlyList<(string Table, string Columns)> All { get; } =
    [
        (Definitions.Table, Definitions.Columns),
        (StartKeys.Table, StartKeys.Columns),
        (Instances.Table, Instances.AllColumns),
        (NodeStates.Table, NodeStates.Columns),
        (WorkItems.Table, WorkItems.AllColumns),
        (Journal.Table, Journal.AllColumns),
    ];
}
