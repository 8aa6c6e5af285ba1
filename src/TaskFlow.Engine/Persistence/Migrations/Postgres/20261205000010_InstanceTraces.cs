using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Postgres
{
    /// <summary>
    /// The instance's trace: the W3C traceparent of its root span, written only when tracing is on.
    /// Every node attempt's span is a child of it, in whichever process runs the node.
    /// </summary>
    [DbContext(typeof(PostgresTaskFlowDbContext))]
    [Migration("20261205000010_InstanceTraces")]
    public partial class InstanceTraces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "trace_parent", table: "tf_instances", type: "character varying(55)", maxLength: 55, nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "trace_parent", table: "tf_instances");
        }
    }
}
