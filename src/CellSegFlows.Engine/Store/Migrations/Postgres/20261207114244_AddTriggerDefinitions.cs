using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddTriggerDefinitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FiredBy",
                table: "trigger_firings",
                type: "text",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "schedules",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "PinnedVersion",
                table: "schedules",
                type: "text",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "file_watches",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "PinnedVersion",
                table: "file_watches",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FiredBy",
                table: "trigger_firings");

            migrationBuilder.DropColumn(
                name: "PinnedVersion",
                table: "schedules");

            migrationBuilder.DropColumn(
                name: "PinnedVersion",
                table: "file_watches");

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "schedules",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "file_watches",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
