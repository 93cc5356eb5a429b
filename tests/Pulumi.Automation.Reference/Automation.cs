// Compile-time reference of the real Pulumi Automation API (package "Pulumi.Automation" 3.x):
// public signatures only, no behaviour. See ../Pulumi.Reference/README.md. Never ship or run.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Pulumi.Automation.Events;

namespace Pulumi.Automation
{
    public abstract class Workspace : IDisposable
    {
        private protected Workspace() => throw null!;
        public virtual void Dispose() => throw null!;
    }

    public sealed class LocalWorkspace : Workspace
    {
        private LocalWorkspace() => throw null!;

        public static Task<WorkspaceStack> SelectStackAsync(LocalProgramArgs args) => throw null!;
        public static Task<WorkspaceStack> SelectStackAsync(LocalProgramArgs args, CancellationToken cancellationToken) => throw null!;
        public override void Dispose() => throw null!;
    }

    public class LocalWorkspaceOptions
    {
        public string? WorkDir { get; set; }
        public string? PulumiHome { get; set; }
        public string? SecretsProvider { get; set; }
        public IDictionary<string, string?>? EnvironmentVariables { get; set; }
    }

    public sealed class LocalProgramArgs : LocalWorkspaceOptions
    {
        public LocalProgramArgs(string stackName, string workDir) => throw null!;
        public string StackName => throw null!;
    }

    public sealed class WorkspaceStack : IDisposable
    {
        private WorkspaceStack() => throw null!;

        public string Name => throw null!;
        public Workspace Workspace => throw null!;
        public Task<PreviewResult> PreviewAsync(PreviewOptions? options = null, CancellationToken cancellationToken = default) => throw null!;
        public void Dispose() => throw null!;
    }

    public class UpdateOptions
    {
        public int? Parallel { get; set; }
        public string? Message { get; set; }
        public List<string>? Target { get; set; }
        public Action<string>? OnStandardOutput { get; set; }
        public Action<string>? OnStandardError { get; set; }
        public Action<EngineEvent>? OnEvent { get; set; }
        public string? Color { get; set; }
    }

    public sealed class PreviewOptions : UpdateOptions
    {
        public bool? ExpectNoChanges { get; set; }
        public bool? Diff { get; set; }
        public List<string>? Replace { get; set; }
        public bool? TargetDependents { get; set; }
        public bool? Refresh { get; set; }
    }

    public sealed class PreviewResult
    {
        private PreviewResult() => throw null!;

        public string StandardOutput => throw null!;
        public string StandardError => throw null!;
        public IImmutableDictionary<OperationType, int> ChangeSummary => throw null!;
    }

    public enum OperationType
    {
        Unknown = -1,
        Same = 0,
        Create = 1,
        Update = 2,
        Delete = 3,
        Replace = 4,
        CreateReplacement = 5,
        DeleteReplaced = 6,
        Read = 7,
        ReadReplacement = 8,
        Refresh = 9,
        ReadDiscard = 10,
        DiscardReplaced = 11,
        RemovePendingReplace = 12,
        Import = 13,
        ImportReplacement = 14,
    }
}

namespace Pulumi.Automation.Events
{
    public class EngineEvent
    {
        internal EngineEvent() => throw null!;

        public int Sequence => throw null!;
        public int Timestamp => throw null!;
        public DiagnosticEvent? DiagnosticEvent => throw null!;
        public ResourcePreEvent? ResourcePreEvent => throw null!;
        public SummaryEvent? SummaryEvent => throw null!;
    }

    public class DiagnosticEvent
    {
        internal DiagnosticEvent() => throw null!;

        public string? Urn => throw null!;
        public string? Prefix => throw null!;
        public string Message => throw null!;
        public string Color => throw null!;
        /// <summary>One of "info", "info#err", "warning" or "error".</summary>
        public string Severity => throw null!;
        public string? StreamId => throw null!;
        public bool? Ephemeral => throw null!;
    }

    public class ResourcePreEvent
    {
        internal ResourcePreEvent() => throw null!;

        public StepEventMetadata Metadata => throw null!;
        public bool? Planning => throw null!;
    }

    public class SummaryEvent
    {
        internal SummaryEvent() => throw null!;

        public bool MaybeCorrupt => throw null!;
        public int DurationSeconds => throw null!;
        public IImmutableDictionary<OperationType, int> ResourceChanges => throw null!;
    }

    public class StepEventMetadata
    {
        internal StepEventMetadata() => throw null!;

        public OperationType Op => throw null!;
        public string Urn => throw null!;
        public string Type => throw null!;
        public StepEventStateMetadata? Old => throw null!;
        public StepEventStateMetadata? New => throw null!;
        public ImmutableArray<string>? Keys => throw null!;
        public ImmutableArray<string>? Diffs => throw null!;
        public IImmutableDictionary<string, PropertyDiff>? DetailedDiff => throw null!;
        public bool? Logical => throw null!;
        public string Provider => throw null!;
    }

    public class StepEventStateMetadata
    {
        internal StepEventStateMetadata() => throw null!;

        public string Urn => throw null!;
        public string Type => throw null!;
        public bool? Custom => throw null!;
        public bool? Delete => throw null!;
        public string Id => throw null!;
        public string Parent => throw null!;
        public bool? Protect => throw null!;
        public IImmutableDictionary<string, object> Inputs => throw null!;
        public IImmutableDictionary<string, object> Outputs => throw null!;
        public string Provider => throw null!;
        public ImmutableArray<string>? InitErrors => throw null!;
    }

    public class PropertyDiff
    {
        internal PropertyDiff() => throw null!;

        public DiffKind Kind => throw null!;
        public bool InputDiff => throw null!;
    }

    public enum DiffKind
    {
        Add = 0,
        AddReplace = 1,
        Delete = 2,
        DeleteReplace = 3,
        Update = 4,
        UpdateReplace = 5,
    }
}

namespace Pulumi.Automation.Commands.Exceptions
{
    public class CommandException : Exception
    {
        internal CommandException() => throw null!;
        public string Name => throw null!;
    }

    public sealed class StackNotFoundException : CommandException
    {
        internal StackNotFoundException() => throw null!;
    }
}
