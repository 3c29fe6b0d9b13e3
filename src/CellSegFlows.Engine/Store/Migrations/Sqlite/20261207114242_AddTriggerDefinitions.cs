using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "schedules",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<string>(
                name: "PinnedVersion",
                table: "schedules",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "file_watches",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<string>(
                name: "PinnedVersion",
                table: "file_watches",
                type: "TEXT",
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
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "WorkflowPath",
                table: "file_watches",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
