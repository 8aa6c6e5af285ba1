using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskFlow.Engine.Persistence.Migrations.Postgres
{
    /// <summary>
    /// <c>tf_expect(actual, expected, what)</c>: raises SQLSTATE TF409 ("TaskFlow commit guard: ...")
    /// unless the two counts agree. A guarded commit sends its checks (instance rows unchanged,
    /// leases still held), its writes and its COMMIT in one batch; a failed check aborts the
    /// transaction there, before anything is written. No table changes; not part of the EF model.
    /// </summary>
    [DbContext(typeof(PostgresTaskFlowDbContext))]
    [Migration("20261204224510_CommitGuardCheck")]
    public partial class CommitGuardCheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION tf_expect(actual bigint, expected bigint, what text) RETURNS bigint
                LANGUAGE plpgsql AS $$
                BEGIN
                  IF actual IS DISTINCT FROM expected THEN
                    RAISE EXCEPTION 'TaskFlow commit guard: %', what USING ERRCODE = 'TF409';
                  END IF;
                  RETURN actual;
                END
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS tf_expect(bigint, bigint, text);");
        }
    }
}
