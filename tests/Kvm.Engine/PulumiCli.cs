using System.Diagnostics;

namespace Kvm.Engine;

/// <summary>
/// Drives a <see cref="Stack"/> the way someone at a terminal drives the pulumi CLI: each call
/// prints its command line, then what the CLI would print (see <see cref="CommandOutput"/>), with
/// the diagnostics the provider sent to the engine during that command. A command that fails
/// when it should succeed (or the other way round) throws.
/// </summary>
public sealed class PulumiCli(Stack stack, TextWriter? output = null)
{
    private readonly TextWriter _out = output ?? Console.Out;

    public Stack Stack => stack;

    public Task<RunResult> PreviewAsync(IEnumerable<ResourceDecl> program, string? comment = null) =>
        RunAsync("pulumi preview --diff", comment, () => stack.PreviewAsync([.. program]));

    public Task<RunResult> UpAsync(IEnumerable<ResourceDecl> program, string? comment = null) =>
        RunAsync("pulumi up --yes", comment, () => stack.UpAsync([.. program]));

    /// <summary>An up the provider is expected to refuse (the output shows why).</summary>
    public Task<RunResult> UpRefusedAsync(IEnumerable<ResourceDecl> program, string? comment = null) =>
        RunAsync("pulumi up --yes", comment, () => stack.UpAsync([.. program]), expectFailure: true);

    public Task<RunResult> RefreshAsync(string? comment = null) =>
        RunAsync("pulumi refresh --yes", comment, stack.RefreshAsync);

    public Task<RunResult> ImportAsync(string type, string name, string id, string? comment = null) =>
        RunAsync($"pulumi import {type} {name} {id} --yes", comment, () => stack.ImportAsync(type, name, id));

    public Task<RunResult> DestroyAsync(string? comment = null) =>
        RunAsync("pulumi destroy --yes", comment, stack.DestroyAsync);

    private async Task<RunResult> RunAsync(string commandLine, string? comment, Func<Task<RunResult>> run, bool expectFailure = false)
    {
        _out.WriteLine();
        _out.WriteLine($"$ {commandLine}{(comment is null ? "" : $"   # {comment}")}");
        stack.Engine.ClearLogs();
        var clock = Stopwatch.StartNew();
        var result = await run().ConfigureAwait(false);
        _out.WriteLine(CommandOutput.Render(result, stack.StackName, stack.Project, clock.Elapsed, stack.Engine.Logs));
        if (result.Ok == expectFailure)
            throw new InvalidOperationException($"`{commandLine}` was expected to {(expectFailure ? "be refused" : "succeed")}");
        return result;
    }
}
