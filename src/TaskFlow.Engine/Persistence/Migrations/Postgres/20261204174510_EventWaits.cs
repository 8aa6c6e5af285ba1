using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Postgres
{
    /// <summary>
    /// Subscriptions of waiting nodes (events and approvals), and events kept for nodes not yet waiting. The engine reads and writes this table with its own
    /// SQL only (it is not part of the EF model), like the hot-path tables.
    /// </summary>
    [DbContext(typeof(PostgresTaskFlowDbContext))]
    [Migration("20261204174510_EventWaits")]
    public partial class EventWaits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tf_event_waits",
                columns: table => new
                {
                    token = table.Column<string>(type: "text", maxLength: 64, nullable: false),
                    instance_id = table.Column<string>(type: "text", maxLength: 40, nullable: false),
                    node_id = table.Column<string>(type: "text", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    correlation = table.Column<string>(type: "text", nullable: true),
                    definition_id = table.Column<string>(type: "text", nullable: false),
                    definition_version = table.Column<int>(type: "integer", nullable: false),
                    taken = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    kind = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    details = table.Column<string>(type: "text", nullable: true),
                    earlier_ms = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_event_waits", x => x.token);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tf_event_waits_name",
                table: "tf_event_waits",
                columns: new[] { "kind", "name", "correlation" });

            migrationBuilder.CreateIndex(
                name: "ix_tf_event_waits_instance",
                table: "tf_event_waits",
                columns: new[] { "instance_id", "node_id" });

            // Events that matched no waiting node, kept for nodes that take earlier events.
            migrationBuilder.CreateTable(
                name: "tf_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", maxLength: 40, nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    correlation = table.Column<string>(type: "text", nullable: true),
                    instance_id = table.Column<string>(type: "text", maxLength: 40, nullable: true),
                    payload = table.Column<string>(type: "text", nullable: true),
                    received_at = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tf_events_name",
                table: "tf_events",
                columns: new[] { "name", "received_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tf_events_expires",
                table: "tf_events",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tf_events");

            migrationBuilder.DropTable(
                name: "tf_event_waits");
        }
    }
}
