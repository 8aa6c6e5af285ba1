using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PublishAndStartKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "is_published",
                table: "tf_definitions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Before drafts existed every saved version was live and runs used the latest: publish it.
            migrationBuilder.Sql("UPDATE tf_definitions SET is_published = (1 = 1) WHERE version = (SELECT max(d.version) FROM tf_definitions d WHERE d.definition_id = tf_definitions.definition_id)");

            migrationBuilder.CreateTable(
                name: "tf_start_keys",
                columns: table => new
                {
                    start_key = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    instance_id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tf_start_keys", x => x.start_key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tf_start_keys_instance",
                table: "tf_start_keys",
                column: "instance_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "tf_start_keys");

            migrationBuilder.DropColumn(
                name: "is_published",
                table: "tf_definitions");
        }
    }
}
