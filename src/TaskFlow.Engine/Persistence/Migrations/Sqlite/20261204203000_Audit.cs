using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// The audit trail: who (the API key's name and role) did what (every request that changes
    /// something), to what, when, with which result. Read and written with the store's own SQL only
    /// (not part of the EF model), like the event waits.
    /// </summary>
    [DbContext(typeof(SqliteTaskFlowDbContext))]
    [Migration("20261204203000_Audit")]
    public partial class Audit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tf_audit",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", nullable: true),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    target = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    detail = table.Column<string>(type: "TEXT", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_tf_audit", x => x.id));
            migrationBuilder.CreateIndex(name: "ix_tf_audit_at", table: "tf_audit", column: "at");
            migrationBuilder.CreateIndex(name: "ix_tf_audit_actor", table: "tf_audit", columns: ["actor", "id"]);
            migrationBuilder.CreateIndex(name: "ix_tf_audit_target", table: "tf_audit", columns: ["target", "id"]);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "tf_audit");
    }
}
