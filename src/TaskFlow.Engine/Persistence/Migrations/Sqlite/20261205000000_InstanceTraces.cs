using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// The instance's trace: the W3C traceparent of its root span, written only when tracing is on.
    /// Every node attempt's span is a child of it, in whichever process runs the node.
    /// </summary>
    [DbContext(typeof(SqliteTaskFlowDbContext))]
    [Migration("20261205000000_InstanceTraces")]
    public partial class InstanceTraces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "trace_parent", table: "tf_instances", type: "TEXT", maxLength: 55, nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "trace_parent", table: "tf_instances");
        }
    }
}
