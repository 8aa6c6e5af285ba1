using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Postgres
{
    /// <summary>
    /// The audit trail: who (the API key's name and role) did what (every request that changes
    /// something), to what, when, with which result. Read and written with the store's own SQL only
    /// (not part of the EF model), like the event waits.
    /// </summary>
    [DbContext(typeof(PostgresTaskFlowDbContext))]
    [Migration("20261204203010_Audit")]
    public partial class Audit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "tf_audit",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false).Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<long>(type: "bigint", nullable: false),
                    actor = table.Column<string>(type: "text", nullable: false),
                    role = table.Column<string>(type: "text", nullable: true),
                    action = table.Column<string>(type: "text", nullable: false),
                    target = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<int>(type: "integer", nullable: false),
                    detail = table.Column<string>(type: "text", nullable: true),
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
