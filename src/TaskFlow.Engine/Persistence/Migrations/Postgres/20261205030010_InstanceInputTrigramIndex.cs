using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Postgres
{
    /// <summary>
    /// A pg_trgm GIN index over the instance's input, which serves the text search of
    /// GET /api/instances?q= (a LIKE '%text%'). Where the extension cannot be created (not
    /// installed, or the role may not create it), the migration still succeeds: it raises a
    /// warning into the server's log and the search stays a scan. Not in the model: SQLite has
    /// no such index.
    /// </summary>
    [DbContext(typeof(PostgresTaskFlowDbContext))]
    [Migration("20261205030010_InstanceInputTrigramIndex")]
    public partial class InstanceInputTrigramIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    BEGIN
                        CREATE EXTENSION IF NOT EXISTS pg_trgm;
                    EXCEPTION WHEN OTHERS THEN
                        RAISE WARNING 'TaskFlow: the pg_trgm extension could not be created (%); the instance text search (q) runs without an index', SQLERRM;
                        RETURN;
                    END;
                    CREATE INDEX IF NOT EXISTS ix_tf_instances_input_trgm ON tf_instances USING gin (input gin_trgm_ops);
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_tf_instances_input_trgm;");
        }
    }
}
