using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Instance search and bulk operations: the instance's correlation id with indexes for the
    /// instance list's filters and its keyset cursor (created_at, id); the durable record of bulk
    /// operations and one result row per targeted instance. The engine reads and writes the bulk
    /// tables with its own SQL only (they are not part of the EF model), like the hot-path tables.
    /// </summary>
    [DbContext(typeof(SqliteTaskFlowDbContext))]
    [Migration("20261204210000_InstanceSearchAndBulk")]
    public partial class InstanceSearchAndBulk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "correlation_id",
                table: "tf_instances",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_tf_instances_correlation",
                table: "tf_instances",
                column: "correlation_id");

            migrationBuilder.CreateIndex(
                name: "ix_tf_instances_created",
                table: "tf_instances",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateTable(
                name: "tf_bulk_operations",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    request = table.Column<string>(type: "TEXT", nullable: false),
                    total = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_bulk_operations", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tf_bulk_operations_status",
                table: "tf_bulk_operations",
                column: "status");

            migrationBuilder.CreateTable(
                name: "tf_bulk_results",
                columns: table => new
                {
                    operation_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    instance_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    outcome = table.Column<int>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_bulk_results", x => new { x.operation_id, x.position });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tf_bulk_results");

            migrationBuilder.DropTable(
                name: "tf_bulk_operations");

            migrationBuilder.DropIndex(
                name: "ix_tf_instances_created",
                table: "tf_instances");

            migrationBuilder.DropIndex(
                name: "ix_tf_instances_correlation",
                table: "tf_instances");

            migrationBuilder.DropColumn(
                name: "correlation_id",
                table: "tf_instances");
        }
    }
}
