using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddModelRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_decisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    PreviousChampion = table.Column<int>(type: "integer", nullable: true),
                    Decision = table.Column<string>(type: "text", nullable: false),
                    Metric = table.Column<string>(type: "text", nullable: true),
                    ChallengerScore = table.Column<double>(type: "double precision", nullable: true),
                    ChampionScore = table.Column<double>(type: "double precision", nullable: true),
                    Margin = table.Column<double>(type: "double precision", nullable: true),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    RunId = table.Column<string>(type: "text", nullable: true),
                    By = table.Column<string>(type: "text", nullable: false),
                    Time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_decisions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "model_versions",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    ArtifactHash = table.Column<string>(type: "text", nullable: false),
                    ArtifactName = table.Column<string>(type: "text", nullable: false),
                    ArtifactSize = table.Column<long>(type: "bigint", nullable: false),
                    RunId = table.Column<string>(type: "text", nullable: true),
                    StepId = table.Column<string>(type: "text", nullable: true),
                    DataJson = table.Column<string>(type: "text", nullable: true),
                    MetricsJson = table.Column<string>(type: "text", nullable: true),
                    CreatedBy = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_versions", x => new { x.Name, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "models",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    ChampionVersion = table.Column<int>(type: "integer", nullable: true),
                    VersionCount = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_models", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_decisions_Name_Id",
                table: "model_decisions",
                columns: new[] { "Name", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_model_versions_ArtifactHash",
                table: "model_versions",
                column: "ArtifactHash");

            migrationBuilder.CreateIndex(
                name: "IX_model_versions_RunId",
                table: "model_versions",
                column: "RunId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_decisions");

            migrationBuilder.DropTable(
                name: "model_versions");

            migrationBuilder.DropTable(
                name: "models");
        }
    }
}
