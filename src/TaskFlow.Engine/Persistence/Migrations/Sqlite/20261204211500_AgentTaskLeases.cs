using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Leases of agent tasks (waits of kind 2 in tf_event_waits): the claim's token, until when it holds and who took it.
    /// Like the rest of the table, read and written with the engine's own SQL only.
    /// </summary>
    [DbContext(typeof(SqliteTaskFlowDbContext))]
    [Migration("20261204211500_AgentTaskLeases")]
    public partial class AgentTaskLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "lease_token", table: "tf_event_waits", type: "TEXT", maxLength: 64, nullable: true);
            migrationBuilder.AddColumn<long>(name: "lease_until", table: "tf_event_waits", type: "INTEGER", nullable: true);
            migrationBuilder.AddColumn<string>(name: "claimed_by", table: "tf_event_waits", type: "TEXT", nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "claimed_by", table: "tf_event_waits");
            migrationBuilder.DropColumn(name: "lease_until", table: "tf_event_waits");
            migrationBuilder.DropColumn(name: "lease_token", table: "tf_event_waits");
        }
    }
}
