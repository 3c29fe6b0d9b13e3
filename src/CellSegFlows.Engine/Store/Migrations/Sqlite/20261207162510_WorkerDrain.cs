using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkerDrain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "drain_requested_at",
                table: "workers",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "drain_requested_at",
                table: "workers");
        }
    }
}
