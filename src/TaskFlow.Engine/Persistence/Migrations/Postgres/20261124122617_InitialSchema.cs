using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tf_definitions",
                columns: table => new
                {
                    definition_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    json = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_definitions", x => new { x.definition_id, x.version });
                });

            migrationBuilder.CreateTable(
                name: "tf_instances",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    definition_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    definition_version = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    active_nodes = table.Column<int>(type: "integer", nullable: false),
                    depth = table.Column<int>(type: "integer", nullable: false),
                    parent_instance_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    parent_node_id = table.Column<string>(type: "text", nullable: true),
                    parent_attempt = table.Column<int>(type: "integer", nullable: false),
                    input = table.Column<string>(type: "text", nullable: false),
                    variables = table.Column<string>(type: "text", nullable: false),
                    output = table.Column<string>(type: "text", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false),
                    finished_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_instances", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tf_journal",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    instance_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    node_id = table.Column<string>(type: "character varying(160)", maxLength: 160, nullable: true),
                    type = table.Column<int>(type: "integer", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    at = table.Column<long>(type: "bigint", nullable: false),
                    worker = table.Column<string>(type: "text", nullable: true),
                    message = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_journal", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tf_node_states",
                columns: table => new
                {
                    instance_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    node_id = table.Column<string>(type: "character varying(160)", maxLength: 160, nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    arrived = table.Column<int>(type: "integer", nullable: false),
                    dead = table.Column<int>(type: "integer", nullable: false),
                    items_total = table.Column<int>(type: "integer", nullable: false),
                    items_started = table.Column<int>(type: "integer", nullable: false),
                    items_done = table.Column<int>(type: "integer", nullable: false),
                    output = table.Column<string>(type: "text", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    data = table.Column<string>(type: "text", nullable: true),
                    finished_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_node_states", x => new { x.instance_id, x.node_id });
                });

            migrationBuilder.CreateTable(
                name: "tf_work_items",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    instance_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    node_id = table.Column<string>(type: "character varying(160)", maxLength: 160, nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    visible_at = table.Column<long>(type: "bigint", nullable: false),
                    owner = table.Column<string>(type: "text", nullable: true),
                    claims = table.Column<int>(type: "integer", nullable: false),
                    resume = table.Column<bool>(type: "boolean", nullable: false),
                    payload = table.Column<string>(type: "text", nullable: true),
                    definition_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    definition_version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_work_items", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tf_instances_definition",
                table: "tf_instances",
                columns: new[] { "definition_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tf_instances_parent",
                table: "tf_instances",
                column: "parent_instance_id");

            migrationBuilder.CreateIndex(
                name: "ix_tf_instances_status_finished",
                table: "tf_instances",
                columns: new[] { "status", "finished_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tf_journal_instance",
                table: "tf_journal",
                columns: new[] { "instance_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_tf_work_items_instance",
                table: "tf_work_items",
                columns: new[] { "instance_id", "node_id" });

            migrationBuilder.CreateIndex(
                name: "ix_tf_work_items_visible",
                table: "tf_work_items",
                column: "visible_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tf_definitions");

            migrationBuilder.DropTable(
                name: "tf_instances");

            migrationBuilder.DropTable(
                name: "tf_journal");

            migrationBuilder.DropTable(
                name: "tf_node_states");

            migrationBuilder.DropTable(
                name: "tf_work_items");
        }
    }
}
