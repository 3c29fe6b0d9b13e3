using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class GlossaryRenames : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "activity_type",
                table: "steps",
                newName: "activity");

            migrationBuilder.RenameColumn(
                name: "activity_type",
                table: "step_cache",
                newName: "activity");

            migrationBuilder.RenameColumn(
                name: "branches_done",
                table: "run_nodes",
                newName: "map_elements_done");

            migrationBuilder.RenameColumn(
                name: "branch_count",
                table: "run_nodes",
                newName: "map_element_count");

            migrationBuilder.RenameColumn(
                name: "step",
                table: "metrics",
                newName: "iteration");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "activity",
                table: "steps",
                newName: "activity_type");

            migrationBuilder.RenameColumn(
                name: "activity",
                table: "step_cache",
                newName: "activity_type");

            migrationBuilder.RenameColumn(
                name: "map_elements_done",
                table: "run_nodes",
                newName: "branches_done");

            migrationBuilder.RenameColumn(
                name: "map_element_count",
                table: "run_nodes",
                newName: "branch_count");

            migrationBuilder.RenameColumn(
                name: "iteration",
                table: "metrics",
                newName: "step");
        }
    }
}
