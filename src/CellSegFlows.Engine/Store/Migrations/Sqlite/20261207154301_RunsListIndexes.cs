using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunsListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_runs_status",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_workflow_id",
                table: "runs");

            migrationBuilder.CreateIndex(
                name: "IX_runs_created_at_id",
                table: "runs",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_definition_hash_created_at_id",
                table: "runs",
                columns: new[] { "definition_hash", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_status_created_at_id",
                table: "runs",
                columns: new[] { "status", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_workflow_id_created_at_id",
                table: "runs",
                columns: new[] { "workflow_id", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_runs_created_at_id",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_definition_hash_created_at_id",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_status_created_at_id",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_workflow_id_created_at_id",
                table: "runs");

            migrationBuilder.CreateIndex(
                name: "IX_runs_status",
                table: "runs",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "IX_runs_workflow_id",
                table: "runs",
                column: "workflow_id");
        }
    }
}
