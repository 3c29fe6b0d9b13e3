using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CellSegFlows.Engine.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SnakeCaseColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Threads",
                table: "workers",
                newName: "threads");

            migrationBuilder.RenameColumn(
                name: "Queues",
                table: "workers",
                newName: "queues");

            migrationBuilder.RenameColumn(
                name: "Device",
                table: "workers",
                newName: "device");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "workers",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "StoppedAt",
                table: "workers",
                newName: "stopped_at");

            migrationBuilder.RenameColumn(
                name: "StartedAt",
                table: "workers",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "LastSeenAt",
                table: "workers",
                newName: "last_seen_at");

            migrationBuilder.RenameColumn(
                name: "Role",
                table: "users",
                newName: "role");

            migrationBuilder.RenameColumn(
                name: "Disabled",
                table: "users",
                newName: "disabled");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "users",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "PasswordHash",
                table: "users",
                newName: "password_hash");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "users",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "Time",
                table: "trigger_firings",
                newName: "time");

            migrationBuilder.RenameColumn(
                name: "Outcome",
                table: "trigger_firings",
                newName: "outcome");

            migrationBuilder.RenameColumn(
                name: "Message",
                table: "trigger_firings",
                newName: "message");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "trigger_firings",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "TriggerKind",
                table: "trigger_firings",
                newName: "trigger_kind");

            migrationBuilder.RenameColumn(
                name: "TriggerId",
                table: "trigger_firings",
                newName: "trigger_id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "trigger_firings",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "FiredBy",
                table: "trigger_firings",
                newName: "fired_by");

            migrationBuilder.RenameIndex(
                name: "IX_trigger_firings_TriggerKind_TriggerId",
                table: "trigger_firings",
                newName: "IX_trigger_firings_trigger_kind_trigger_id");

            migrationBuilder.RenameIndex(
                name: "IX_trigger_firings_RunId",
                table: "trigger_firings",
                newName: "IX_trigger_firings_run_id");

            migrationBuilder.RenameColumn(
                name: "Worker",
                table: "steps",
                newName: "worker");

            migrationBuilder.RenameColumn(
                name: "Status",
                table: "steps",
                newName: "status");

            migrationBuilder.RenameColumn(
                name: "Queue",
                table: "steps",
                newName: "queue");

            migrationBuilder.RenameColumn(
                name: "Progress",
                table: "steps",
                newName: "progress");

            migrationBuilder.RenameColumn(
                name: "Error",
                table: "steps",
                newName: "error");

            migrationBuilder.RenameColumn(
                name: "Attempt",
                table: "steps",
                newName: "attempt");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "steps",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "StartedAt",
                table: "steps",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "ScheduledAt",
                table: "steps",
                newName: "scheduled_at");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "steps",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "ProgressMessage",
                table: "steps",
                newName: "progress_message");

            migrationBuilder.RenameColumn(
                name: "OutputsJson",
                table: "steps",
                newName: "outputs_json");

            migrationBuilder.RenameColumn(
                name: "NodeId",
                table: "steps",
                newName: "node_id");

            migrationBuilder.RenameColumn(
                name: "MapIndex",
                table: "steps",
                newName: "map_index");

            migrationBuilder.RenameColumn(
                name: "InputsJson",
                table: "steps",
                newName: "inputs_json");

            migrationBuilder.RenameColumn(
                name: "FinishedAt",
                table: "steps",
                newName: "finished_at");

            migrationBuilder.RenameColumn(
                name: "CacheKey",
                table: "steps",
                newName: "cache_key");

            migrationBuilder.RenameColumn(
                name: "ActivityType",
                table: "steps",
                newName: "activity_type");

            migrationBuilder.RenameIndex(
                name: "IX_steps_Status",
                table: "steps",
                newName: "IX_steps_status");

            migrationBuilder.RenameIndex(
                name: "IX_steps_RunId_NodeId",
                table: "steps",
                newName: "IX_steps_run_id_node_id");

            migrationBuilder.RenameColumn(
                name: "Worker",
                table: "step_events",
                newName: "worker");

            migrationBuilder.RenameColumn(
                name: "Time",
                table: "step_events",
                newName: "time");

            migrationBuilder.RenameColumn(
                name: "Status",
                table: "step_events",
                newName: "status");

            migrationBuilder.RenameColumn(
                name: "Message",
                table: "step_events",
                newName: "message");

            migrationBuilder.RenameColumn(
                name: "Kind",
                table: "step_events",
                newName: "kind");

            migrationBuilder.RenameColumn(
                name: "Attempt",
                table: "step_events",
                newName: "attempt");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "step_events",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "StepId",
                table: "step_events",
                newName: "step_id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "step_events",
                newName: "run_id");

            migrationBuilder.RenameIndex(
                name: "IX_step_events_RunId_StepId",
                table: "step_events",
                newName: "IX_step_events_run_id_step_id");

            migrationBuilder.RenameColumn(
                name: "Key",
                table: "step_cache",
                newName: "key");

            migrationBuilder.RenameColumn(
                name: "StepId",
                table: "step_cache",
                newName: "step_id");

            migrationBuilder.RenameColumn(
                name: "OutputsJson",
                table: "step_cache",
                newName: "outputs_json");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "step_cache",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ActivityVersion",
                table: "step_cache",
                newName: "activity_version");

            migrationBuilder.RenameColumn(
                name: "ActivityType",
                table: "step_cache",
                newName: "activity_type");

            migrationBuilder.RenameColumn(
                name: "Misfire",
                table: "schedules",
                newName: "misfire");

            migrationBuilder.RenameColumn(
                name: "Enabled",
                table: "schedules",
                newName: "enabled");

            migrationBuilder.RenameColumn(
                name: "Cron",
                table: "schedules",
                newName: "cron");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "schedules",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "WorkflowPath",
                table: "schedules",
                newName: "workflow_path");

            migrationBuilder.RenameColumn(
                name: "WorkflowId",
                table: "schedules",
                newName: "workflow_id");

            migrationBuilder.RenameColumn(
                name: "UpdatedAt",
                table: "schedules",
                newName: "updated_at");

            migrationBuilder.RenameColumn(
                name: "PinnedVersion",
                table: "schedules",
                newName: "pinned_version");

            migrationBuilder.RenameColumn(
                name: "ParametersJson",
                table: "schedules",
                newName: "parameters_json");

            migrationBuilder.RenameColumn(
                name: "DefinitionJson",
                table: "schedules",
                newName: "definition_json");

            migrationBuilder.RenameColumn(
                name: "DefinitionHash",
                table: "schedules",
                newName: "definition_hash");

            migrationBuilder.RenameColumn(
                name: "CreatedBy",
                table: "schedules",
                newName: "created_by");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "schedules",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "AllowOverlap",
                table: "schedules",
                newName: "allow_overlap");

            migrationBuilder.RenameColumn(
                name: "Trigger",
                table: "runs",
                newName: "trigger");

            migrationBuilder.RenameColumn(
                name: "Status",
                table: "runs",
                newName: "status");

            migrationBuilder.RenameColumn(
                name: "Error",
                table: "runs",
                newName: "error");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "runs",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "WorkflowId",
                table: "runs",
                newName: "workflow_id");

            migrationBuilder.RenameColumn(
                name: "TriggerDetail",
                table: "runs",
                newName: "trigger_detail");

            migrationBuilder.RenameColumn(
                name: "StartedBy",
                table: "runs",
                newName: "started_by");

            migrationBuilder.RenameColumn(
                name: "ParametersJson",
                table: "runs",
                newName: "parameters_json");

            migrationBuilder.RenameColumn(
                name: "OutputsJson",
                table: "runs",
                newName: "outputs_json");

            migrationBuilder.RenameColumn(
                name: "FinishedAt",
                table: "runs",
                newName: "finished_at");

            migrationBuilder.RenameColumn(
                name: "DefinitionHash",
                table: "runs",
                newName: "definition_hash");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "runs",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "CancelRequested",
                table: "runs",
                newName: "cancel_requested");

            migrationBuilder.RenameIndex(
                name: "IX_runs_Status",
                table: "runs",
                newName: "IX_runs_status");

            migrationBuilder.RenameIndex(
                name: "IX_runs_WorkflowId",
                table: "runs",
                newName: "IX_runs_workflow_id");

            migrationBuilder.RenameColumn(
                name: "Status",
                table: "run_nodes",
                newName: "status");

            migrationBuilder.RenameColumn(
                name: "PendingParents",
                table: "run_nodes",
                newName: "pending_parents");

            migrationBuilder.RenameColumn(
                name: "BranchesDone",
                table: "run_nodes",
                newName: "branches_done");

            migrationBuilder.RenameColumn(
                name: "BranchCount",
                table: "run_nodes",
                newName: "branch_count");

            migrationBuilder.RenameColumn(
                name: "NodeId",
                table: "run_nodes",
                newName: "node_id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "run_nodes",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "Description",
                table: "models",
                newName: "description");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "models",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "VersionCount",
                table: "models",
                newName: "version_count");

            migrationBuilder.RenameColumn(
                name: "UpdatedAt",
                table: "models",
                newName: "updated_at");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "models",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ChampionVersion",
                table: "models",
                newName: "champion_version");

            migrationBuilder.RenameColumn(
                name: "Version",
                table: "model_versions",
                newName: "version");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "model_versions",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "StepId",
                table: "model_versions",
                newName: "step_id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "model_versions",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "MetricsJson",
                table: "model_versions",
                newName: "metrics_json");

            migrationBuilder.RenameColumn(
                name: "DataJson",
                table: "model_versions",
                newName: "data_json");

            migrationBuilder.RenameColumn(
                name: "CreatedBy",
                table: "model_versions",
                newName: "created_by");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "model_versions",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ArtifactSize",
                table: "model_versions",
                newName: "artifact_size");

            migrationBuilder.RenameColumn(
                name: "ArtifactName",
                table: "model_versions",
                newName: "artifact_name");

            migrationBuilder.RenameColumn(
                name: "ArtifactHash",
                table: "model_versions",
                newName: "artifact_hash");

            migrationBuilder.RenameIndex(
                name: "IX_model_versions_RunId",
                table: "model_versions",
                newName: "IX_model_versions_run_id");

            migrationBuilder.RenameIndex(
                name: "IX_model_versions_ArtifactHash",
                table: "model_versions",
                newName: "IX_model_versions_artifact_hash");

            migrationBuilder.RenameColumn(
                name: "Version",
                table: "model_decisions",
                newName: "version");

            migrationBuilder.RenameColumn(
                name: "Time",
                table: "model_decisions",
                newName: "time");

            migrationBuilder.RenameColumn(
                name: "Reason",
                table: "model_decisions",
                newName: "reason");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "model_decisions",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "Metric",
                table: "model_decisions",
                newName: "metric");

            migrationBuilder.RenameColumn(
                name: "Margin",
                table: "model_decisions",
                newName: "margin");

            migrationBuilder.RenameColumn(
                name: "Decision",
                table: "model_decisions",
                newName: "decision");

            migrationBuilder.RenameColumn(
                name: "By",
                table: "model_decisions",
                newName: "by");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "model_decisions",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "model_decisions",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "PreviousChampion",
                table: "model_decisions",
                newName: "previous_champion");

            migrationBuilder.RenameColumn(
                name: "ChampionScore",
                table: "model_decisions",
                newName: "champion_score");

            migrationBuilder.RenameColumn(
                name: "ChallengerScore",
                table: "model_decisions",
                newName: "challenger_score");

            migrationBuilder.RenameIndex(
                name: "IX_model_decisions_Name_Id",
                table: "model_decisions",
                newName: "IX_model_decisions_name_id");

            migrationBuilder.RenameColumn(
                name: "Value",
                table: "metrics",
                newName: "value");

            migrationBuilder.RenameColumn(
                name: "Time",
                table: "metrics",
                newName: "time");

            migrationBuilder.RenameColumn(
                name: "Step",
                table: "metrics",
                newName: "step");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "metrics",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "metrics",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "StepId",
                table: "metrics",
                newName: "step_id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "metrics",
                newName: "run_id");

            migrationBuilder.RenameIndex(
                name: "IX_metrics_RunId_Name",
                table: "metrics",
                newName: "IX_metrics_run_id_name");

            migrationBuilder.RenameColumn(
                name: "Settle",
                table: "file_watches",
                newName: "settle");

            migrationBuilder.RenameColumn(
                name: "Glob",
                table: "file_watches",
                newName: "glob");

            migrationBuilder.RenameColumn(
                name: "Folder",
                table: "file_watches",
                newName: "folder");

            migrationBuilder.RenameColumn(
                name: "Enabled",
                table: "file_watches",
                newName: "enabled");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "file_watches",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "WorkflowPath",
                table: "file_watches",
                newName: "workflow_path");

            migrationBuilder.RenameColumn(
                name: "WorkflowId",
                table: "file_watches",
                newName: "workflow_id");

            migrationBuilder.RenameColumn(
                name: "UpdatedAt",
                table: "file_watches",
                newName: "updated_at");

            migrationBuilder.RenameColumn(
                name: "PollInterval",
                table: "file_watches",
                newName: "poll_interval");

            migrationBuilder.RenameColumn(
                name: "PinnedVersion",
                table: "file_watches",
                newName: "pinned_version");

            migrationBuilder.RenameColumn(
                name: "ParametersJson",
                table: "file_watches",
                newName: "parameters_json");

            migrationBuilder.RenameColumn(
                name: "ParameterName",
                table: "file_watches",
                newName: "parameter_name");

            migrationBuilder.RenameColumn(
                name: "DefinitionJson",
                table: "file_watches",
                newName: "definition_json");

            migrationBuilder.RenameColumn(
                name: "DefinitionHash",
                table: "file_watches",
                newName: "definition_hash");

            migrationBuilder.RenameColumn(
                name: "CreatedBy",
                table: "file_watches",
                newName: "created_by");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "file_watches",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "SeenAt",
                table: "file_cursors",
                newName: "seen_at");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "file_cursors",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "ContentHash",
                table: "file_cursors",
                newName: "content_hash");

            migrationBuilder.RenameColumn(
                name: "RelativePath",
                table: "file_cursors",
                newName: "relative_path");

            migrationBuilder.RenameColumn(
                name: "WatchId",
                table: "file_cursors",
                newName: "watch_id");

            migrationBuilder.RenameColumn(
                name: "Json",
                table: "definitions",
                newName: "json");

            migrationBuilder.RenameColumn(
                name: "Hash",
                table: "definitions",
                newName: "hash");

            migrationBuilder.RenameColumn(
                name: "WorkflowId",
                table: "definitions",
                newName: "workflow_id");

            migrationBuilder.RenameColumn(
                name: "VersionLabel",
                table: "definitions",
                newName: "version_label");

            migrationBuilder.RenameColumn(
                name: "SavedBy",
                table: "definitions",
                newName: "saved_by");

            migrationBuilder.RenameColumn(
                name: "SavedAt",
                table: "definitions",
                newName: "saved_at");

            migrationBuilder.RenameIndex(
                name: "IX_definitions_WorkflowId",
                table: "definitions",
                newName: "IX_definitions_workflow_id");

            migrationBuilder.RenameColumn(
                name: "Time",
                table: "audit_log",
                newName: "time");

            migrationBuilder.RenameColumn(
                name: "Target",
                table: "audit_log",
                newName: "target");

            migrationBuilder.RenameColumn(
                name: "Detail",
                table: "audit_log",
                newName: "detail");

            migrationBuilder.RenameColumn(
                name: "Actor",
                table: "audit_log",
                newName: "actor");

            migrationBuilder.RenameColumn(
                name: "Action",
                table: "audit_log",
                newName: "action");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "audit_log",
                newName: "id");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_Time",
                table: "audit_log",
                newName: "IX_audit_log_time");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_Target",
                table: "audit_log",
                newName: "IX_audit_log_target");

            migrationBuilder.RenameColumn(
                name: "Size",
                table: "artifacts",
                newName: "size");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "artifacts",
                newName: "name");

            migrationBuilder.RenameColumn(
                name: "Hash",
                table: "artifacts",
                newName: "hash");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "artifacts",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "StepId",
                table: "artifacts",
                newName: "step_id");

            migrationBuilder.RenameColumn(
                name: "RunId",
                table: "artifacts",
                newName: "run_id");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "artifacts",
                newName: "created_at");

            migrationBuilder.RenameIndex(
                name: "IX_artifacts_Hash",
                table: "artifacts",
                newName: "IX_artifacts_hash");

            migrationBuilder.RenameIndex(
                name: "IX_artifacts_RunId",
                table: "artifacts",
                newName: "IX_artifacts_run_id");

            migrationBuilder.RenameColumn(
                name: "Revoked",
                table: "api_keys",
                newName: "revoked");

            migrationBuilder.RenameColumn(
                name: "Label",
                table: "api_keys",
                newName: "label");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "api_keys",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "UserName",
                table: "api_keys",
                newName: "user_name");

            migrationBuilder.RenameColumn(
                name: "LastUsedAt",
                table: "api_keys",
                newName: "last_used_at");

            migrationBuilder.RenameColumn(
                name: "KeyHash",
                table: "api_keys",
                newName: "key_hash");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "api_keys",
                newName: "created_at");

            migrationBuilder.RenameIndex(
                name: "IX_api_keys_UserName",
                table: "api_keys",
                newName: "IX_api_keys_user_name");

            migrationBuilder.RenameIndex(
                name: "IX_api_keys_KeyHash",
                table: "api_keys",
                newName: "IX_api_keys_key_hash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "threads",
                table: "workers",
                newName: "Threads");

            migrationBuilder.RenameColumn(
                name: "queues",
                table: "workers",
                newName: "Queues");

            migrationBuilder.RenameColumn(
                name: "device",
                table: "workers",
                newName: "Device");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "workers",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "stopped_at",
                table: "workers",
                newName: "StoppedAt");

            migrationBuilder.RenameColumn(
                name: "started_at",
                table: "workers",
                newName: "StartedAt");

            migrationBuilder.RenameColumn(
                name: "last_seen_at",
                table: "workers",
                newName: "LastSeenAt");

            migrationBuilder.RenameColumn(
                name: "role",
                table: "users",
                newName: "Role");

            migrationBuilder.RenameColumn(
                name: "disabled",
                table: "users",
                newName: "Disabled");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "users",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "password_hash",
                table: "users",
                newName: "PasswordHash");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "users",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "time",
                table: "trigger_firings",
                newName: "Time");

            migrationBuilder.RenameColumn(
                name: "outcome",
                table: "trigger_firings",
                newName: "Outcome");

            migrationBuilder.RenameColumn(
                name: "message",
                table: "trigger_firings",
                newName: "Message");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "trigger_firings",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "trigger_kind",
                table: "trigger_firings",
                newName: "TriggerKind");

            migrationBuilder.RenameColumn(
                name: "trigger_id",
                table: "trigger_firings",
                newName: "TriggerId");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "trigger_firings",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "fired_by",
                table: "trigger_firings",
                newName: "FiredBy");

            migrationBuilder.RenameIndex(
                name: "IX_trigger_firings_trigger_kind_trigger_id",
                table: "trigger_firings",
                newName: "IX_trigger_firings_TriggerKind_TriggerId");

            migrationBuilder.RenameIndex(
                name: "IX_trigger_firings_run_id",
                table: "trigger_firings",
                newName: "IX_trigger_firings_RunId");

            migrationBuilder.RenameColumn(
                name: "worker",
                table: "steps",
                newName: "Worker");

            migrationBuilder.RenameColumn(
                name: "status",
                table: "steps",
                newName: "Status");

            migrationBuilder.RenameColumn(
                name: "queue",
                table: "steps",
                newName: "Queue");

            migrationBuilder.RenameColumn(
                name: "progress",
                table: "steps",
                newName: "Progress");

            migrationBuilder.RenameColumn(
                name: "error",
                table: "steps",
                newName: "Error");

            migrationBuilder.RenameColumn(
                name: "attempt",
                table: "steps",
                newName: "Attempt");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "steps",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "started_at",
                table: "steps",
                newName: "StartedAt");

            migrationBuilder.RenameColumn(
                name: "scheduled_at",
                table: "steps",
                newName: "ScheduledAt");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "steps",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "progress_message",
                table: "steps",
                newName: "ProgressMessage");

            migrationBuilder.RenameColumn(
                name: "outputs_json",
                table: "steps",
                newName: "OutputsJson");

            migrationBuilder.RenameColumn(
                name: "node_id",
                table: "steps",
                newName: "NodeId");

            migrationBuilder.RenameColumn(
                name: "map_index",
                table: "steps",
                newName: "MapIndex");

            migrationBuilder.RenameColumn(
                name: "inputs_json",
                table: "steps",
                newName: "InputsJson");

            migrationBuilder.RenameColumn(
                name: "finished_at",
                table: "steps",
                newName: "FinishedAt");

            migrationBuilder.RenameColumn(
                name: "cache_key",
                table: "steps",
                newName: "CacheKey");

            migrationBuilder.RenameColumn(
                name: "activity_type",
                table: "steps",
                newName: "ActivityType");

            migrationBuilder.RenameIndex(
                name: "IX_steps_status",
                table: "steps",
                newName: "IX_steps_Status");

            migrationBuilder.RenameIndex(
                name: "IX_steps_run_id_node_id",
                table: "steps",
                newName: "IX_steps_RunId_NodeId");

            migrationBuilder.RenameColumn(
                name: "worker",
                table: "step_events",
                newName: "Worker");

            migrationBuilder.RenameColumn(
                name: "time",
                table: "step_events",
                newName: "Time");

            migrationBuilder.RenameColumn(
                name: "status",
                table: "step_events",
                newName: "Status");

            migrationBuilder.RenameColumn(
                name: "message",
                table: "step_events",
                newName: "Message");

            migrationBuilder.RenameColumn(
                name: "kind",
                table: "step_events",
                newName: "Kind");

            migrationBuilder.RenameColumn(
                name: "attempt",
                table: "step_events",
                newName: "Attempt");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "step_events",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "step_id",
                table: "step_events",
                newName: "StepId");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "step_events",
                newName: "RunId");

            migrationBuilder.RenameIndex(
                name: "IX_step_events_run_id_step_id",
                table: "step_events",
                newName: "IX_step_events_RunId_StepId");

            migrationBuilder.RenameColumn(
                name: "key",
                table: "step_cache",
                newName: "Key");

            migrationBuilder.RenameColumn(
                name: "step_id",
                table: "step_cache",
                newName: "StepId");

            migrationBuilder.RenameColumn(
                name: "outputs_json",
                table: "step_cache",
                newName: "OutputsJson");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "step_cache",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "activity_version",
                table: "step_cache",
                newName: "ActivityVersion");

            migrationBuilder.RenameColumn(
                name: "activity_type",
                table: "step_cache",
                newName: "ActivityType");

            migrationBuilder.RenameColumn(
                name: "misfire",
                table: "schedules",
                newName: "Misfire");

            migrationBuilder.RenameColumn(
                name: "enabled",
                table: "schedules",
                newName: "Enabled");

            migrationBuilder.RenameColumn(
                name: "cron",
                table: "schedules",
                newName: "Cron");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "schedules",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "workflow_path",
                table: "schedules",
                newName: "WorkflowPath");

            migrationBuilder.RenameColumn(
                name: "workflow_id",
                table: "schedules",
                newName: "WorkflowId");

            migrationBuilder.RenameColumn(
                name: "updated_at",
                table: "schedules",
                newName: "UpdatedAt");

            migrationBuilder.RenameColumn(
                name: "pinned_version",
                table: "schedules",
                newName: "PinnedVersion");

            migrationBuilder.RenameColumn(
                name: "parameters_json",
                table: "schedules",
                newName: "ParametersJson");

            migrationBuilder.RenameColumn(
                name: "definition_json",
                table: "schedules",
                newName: "DefinitionJson");

            migrationBuilder.RenameColumn(
                name: "definition_hash",
                table: "schedules",
                newName: "DefinitionHash");

            migrationBuilder.RenameColumn(
                name: "created_by",
                table: "schedules",
                newName: "CreatedBy");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "schedules",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "allow_overlap",
                table: "schedules",
                newName: "AllowOverlap");

            migrationBuilder.RenameColumn(
                name: "trigger",
                table: "runs",
                newName: "Trigger");

            migrationBuilder.RenameColumn(
                name: "status",
                table: "runs",
                newName: "Status");

            migrationBuilder.RenameColumn(
                name: "error",
                table: "runs",
                newName: "Error");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "runs",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "workflow_id",
                table: "runs",
                newName: "WorkflowId");

            migrationBuilder.RenameColumn(
                name: "trigger_detail",
                table: "runs",
                newName: "TriggerDetail");

            migrationBuilder.RenameColumn(
                name: "started_by",
                table: "runs",
                newName: "StartedBy");

            migrationBuilder.RenameColumn(
                name: "parameters_json",
                table: "runs",
                newName: "ParametersJson");

            migrationBuilder.RenameColumn(
                name: "outputs_json",
                table: "runs",
                newName: "OutputsJson");

            migrationBuilder.RenameColumn(
                name: "finished_at",
                table: "runs",
                newName: "FinishedAt");

            migrationBuilder.RenameColumn(
                name: "definition_hash",
                table: "runs",
                newName: "DefinitionHash");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "runs",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "cancel_requested",
                table: "runs",
                newName: "CancelRequested");

            migrationBuilder.RenameIndex(
                name: "IX_runs_status",
                table: "runs",
                newName: "IX_runs_Status");

            migrationBuilder.RenameIndex(
                name: "IX_runs_workflow_id",
                table: "runs",
                newName: "IX_runs_WorkflowId");

            migrationBuilder.RenameColumn(
                name: "status",
                table: "run_nodes",
                newName: "Status");

            migrationBuilder.RenameColumn(
                name: "pending_parents",
                table: "run_nodes",
                newName: "PendingParents");

            migrationBuilder.RenameColumn(
                name: "branches_done",
                table: "run_nodes",
                newName: "BranchesDone");

            migrationBuilder.RenameColumn(
                name: "branch_count",
                table: "run_nodes",
                newName: "BranchCount");

            migrationBuilder.RenameColumn(
                name: "node_id",
                table: "run_nodes",
                newName: "NodeId");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "run_nodes",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "description",
                table: "models",
                newName: "Description");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "models",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "version_count",
                table: "models",
                newName: "VersionCount");

            migrationBuilder.RenameColumn(
                name: "updated_at",
                table: "models",
                newName: "UpdatedAt");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "models",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "champion_version",
                table: "models",
                newName: "ChampionVersion");

            migrationBuilder.RenameColumn(
                name: "version",
                table: "model_versions",
                newName: "Version");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "model_versions",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "step_id",
                table: "model_versions",
                newName: "StepId");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "model_versions",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "metrics_json",
                table: "model_versions",
                newName: "MetricsJson");

            migrationBuilder.RenameColumn(
                name: "data_json",
                table: "model_versions",
                newName: "DataJson");

            migrationBuilder.RenameColumn(
                name: "created_by",
                table: "model_versions",
                newName: "CreatedBy");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "model_versions",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "artifact_size",
                table: "model_versions",
                newName: "ArtifactSize");

            migrationBuilder.RenameColumn(
                name: "artifact_name",
                table: "model_versions",
                newName: "ArtifactName");

            migrationBuilder.RenameColumn(
                name: "artifact_hash",
                table: "model_versions",
                newName: "ArtifactHash");

            migrationBuilder.RenameIndex(
                name: "IX_model_versions_run_id",
                table: "model_versions",
                newName: "IX_model_versions_RunId");

            migrationBuilder.RenameIndex(
                name: "IX_model_versions_artifact_hash",
                table: "model_versions",
                newName: "IX_model_versions_ArtifactHash");

            migrationBuilder.RenameColumn(
                name: "version",
                table: "model_decisions",
                newName: "Version");

            migrationBuilder.RenameColumn(
                name: "time",
                table: "model_decisions",
                newName: "Time");

            migrationBuilder.RenameColumn(
                name: "reason",
                table: "model_decisions",
                newName: "Reason");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "model_decisions",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "metric",
                table: "model_decisions",
                newName: "Metric");

            migrationBuilder.RenameColumn(
                name: "margin",
                table: "model_decisions",
                newName: "Margin");

            migrationBuilder.RenameColumn(
                name: "decision",
                table: "model_decisions",
                newName: "Decision");

            migrationBuilder.RenameColumn(
                name: "by",
                table: "model_decisions",
                newName: "By");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "model_decisions",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "model_decisions",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "previous_champion",
                table: "model_decisions",
                newName: "PreviousChampion");

            migrationBuilder.RenameColumn(
                name: "champion_score",
                table: "model_decisions",
                newName: "ChampionScore");

            migrationBuilder.RenameColumn(
                name: "challenger_score",
                table: "model_decisions",
                newName: "ChallengerScore");

            migrationBuilder.RenameIndex(
                name: "IX_model_decisions_name_id",
                table: "model_decisions",
                newName: "IX_model_decisions_Name_Id");

            migrationBuilder.RenameColumn(
                name: "value",
                table: "metrics",
                newName: "Value");

            migrationBuilder.RenameColumn(
                name: "time",
                table: "metrics",
                newName: "Time");

            migrationBuilder.RenameColumn(
                name: "step",
                table: "metrics",
                newName: "Step");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "metrics",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "metrics",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "step_id",
                table: "metrics",
                newName: "StepId");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "metrics",
                newName: "RunId");

            migrationBuilder.RenameIndex(
                name: "IX_metrics_run_id_name",
                table: "metrics",
                newName: "IX_metrics_RunId_Name");

            migrationBuilder.RenameColumn(
                name: "settle",
                table: "file_watches",
                newName: "Settle");

            migrationBuilder.RenameColumn(
                name: "glob",
                table: "file_watches",
                newName: "Glob");

            migrationBuilder.RenameColumn(
                name: "folder",
                table: "file_watches",
                newName: "Folder");

            migrationBuilder.RenameColumn(
                name: "enabled",
                table: "file_watches",
                newName: "Enabled");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "file_watches",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "workflow_path",
                table: "file_watches",
                newName: "WorkflowPath");

            migrationBuilder.RenameColumn(
                name: "workflow_id",
                table: "file_watches",
                newName: "WorkflowId");

            migrationBuilder.RenameColumn(
                name: "updated_at",
                table: "file_watches",
                newName: "UpdatedAt");

            migrationBuilder.RenameColumn(
                name: "poll_interval",
                table: "file_watches",
                newName: "PollInterval");

            migrationBuilder.RenameColumn(
                name: "pinned_version",
                table: "file_watches",
                newName: "PinnedVersion");

            migrationBuilder.RenameColumn(
                name: "parameters_json",
                table: "file_watches",
                newName: "ParametersJson");

            migrationBuilder.RenameColumn(
                name: "parameter_name",
                table: "file_watches",
                newName: "ParameterName");

            migrationBuilder.RenameColumn(
                name: "definition_json",
                table: "file_watches",
                newName: "DefinitionJson");

            migrationBuilder.RenameColumn(
                name: "definition_hash",
                table: "file_watches",
                newName: "DefinitionHash");

            migrationBuilder.RenameColumn(
                name: "created_by",
                table: "file_watches",
                newName: "CreatedBy");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "file_watches",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "seen_at",
                table: "file_cursors",
                newName: "SeenAt");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "file_cursors",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "content_hash",
                table: "file_cursors",
                newName: "ContentHash");

            migrationBuilder.RenameColumn(
                name: "relative_path",
                table: "file_cursors",
                newName: "RelativePath");

            migrationBuilder.RenameColumn(
                name: "watch_id",
                table: "file_cursors",
                newName: "WatchId");

            migrationBuilder.RenameColumn(
                name: "json",
                table: "definitions",
                newName: "Json");

            migrationBuilder.RenameColumn(
                name: "hash",
                table: "definitions",
                newName: "Hash");

            migrationBuilder.RenameColumn(
                name: "workflow_id",
                table: "definitions",
                newName: "WorkflowId");

            migrationBuilder.RenameColumn(
                name: "version_label",
                table: "definitions",
                newName: "VersionLabel");

            migrationBuilder.RenameColumn(
                name: "saved_by",
                table: "definitions",
                newName: "SavedBy");

            migrationBuilder.RenameColumn(
                name: "saved_at",
                table: "definitions",
                newName: "SavedAt");

            migrationBuilder.RenameIndex(
                name: "IX_definitions_workflow_id",
                table: "definitions",
                newName: "IX_definitions_WorkflowId");

            migrationBuilder.RenameColumn(
                name: "time",
                table: "audit_log",
                newName: "Time");

            migrationBuilder.RenameColumn(
                name: "target",
                table: "audit_log",
                newName: "Target");

            migrationBuilder.RenameColumn(
                name: "detail",
                table: "audit_log",
                newName: "Detail");

            migrationBuilder.RenameColumn(
                name: "actor",
                table: "audit_log",
                newName: "Actor");

            migrationBuilder.RenameColumn(
                name: "action",
                table: "audit_log",
                newName: "Action");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "audit_log",
                newName: "Id");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_time",
                table: "audit_log",
                newName: "IX_audit_log_Time");

            migrationBuilder.RenameIndex(
                name: "IX_audit_log_target",
                table: "audit_log",
                newName: "IX_audit_log_Target");

            migrationBuilder.RenameColumn(
                name: "size",
                table: "artifacts",
                newName: "Size");

            migrationBuilder.RenameColumn(
                name: "name",
                table: "artifacts",
                newName: "Name");

            migrationBuilder.RenameColumn(
                name: "hash",
                table: "artifacts",
                newName: "Hash");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "artifacts",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "step_id",
                table: "artifacts",
                newName: "StepId");

            migrationBuilder.RenameColumn(
                name: "run_id",
                table: "artifacts",
                newName: "RunId");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "artifacts",
                newName: "CreatedAt");

            migrationBuilder.RenameIndex(
                name: "IX_artifacts_hash",
                table: "artifacts",
                newName: "IX_artifacts_Hash");

            migrationBuilder.RenameIndex(
                name: "IX_artifacts_run_id",
                table: "artifacts",
                newName: "IX_artifacts_RunId");

            migrationBuilder.RenameColumn(
                name: "revoked",
                table: "api_keys",
                newName: "Revoked");

            migrationBuilder.RenameColumn(
                name: "label",
                table: "api_keys",
                newName: "Label");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "api_keys",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "user_name",
                table: "api_keys",
                newName: "UserName");

            migrationBuilder.RenameColumn(
                name: "last_used_at",
                table: "api_keys",
                newName: "LastUsedAt");

            migrationBuilder.RenameColumn(
                name: "key_hash",
                table: "api_keys",
                newName: "KeyHash");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "api_keys",
                newName: "CreatedAt");

            migrationBuilder.RenameIndex(
                name: "IX_api_keys_user_name",
                table: "api_keys",
                newName: "IX_api_keys_UserName");

            migrationBuilder.RenameIndex(
                name: "IX_api_keys_key_hash",
                table: "api_keys",
                newName: "IX_api_keys_KeyHash");
        }
    }
}
