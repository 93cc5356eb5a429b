using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Pulumirpc;

namespace Kvm.Engine;

/// <summary>
/// A small Pulumi engine: it keeps a stack's state and drives the real provider through the
/// same RPC sequences the CLI uses, so a test reads like `preview`, `up`, `refresh`, `import`,
/// `destroy`.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    public const string DefaultProvider = "default";

    private readonly List<ResourceState> _state = [];
    private readonly bool _ownsProcess;
    private readonly Dictionary<string, ProviderProcess> _providers = new(StringComparer.Ordinal);

    /// <summary>The default provider's plugin process.</summary>
    public ProviderProcess Provider { get; }

    /// <summary>Every provider's plugin process by name (the default one is <see cref="DefaultProvider"/>), as the engine runs one per provider.</summary>
    public IReadOnlyDictionary<string, ProviderProcess> Providers => _providers;
    public FakeEngine Engine { get; }
    public string StackName { get; }
    public string Project { get; }

    /// <summary>The resources in the state, in creation order.</summary>
    public IReadOnlyList<ResourceState> State => [.. _state];

    public ResourceState this[string name] => _state.Single(r => r.Name == name);

    private Stack(ProviderProcess provider, FakeEngine engine, string stack, string project, bool ownsProcess)
    {
        Provider = provider;
        _providers[DefaultProvider] = provider;
        Engine = engine;
        StackName = stack;
        Project = project;
        _ownsProcess = ownsProcess;
    }

    /// <summary>
    /// Starts the plugin with a fake engine, then GetPluginInfo -> CheckConfig -> Configure. With a
    /// <paramref name="placement"/>, the plugin runs there and the engine listens in its network namespace.
    /// <paramref name="binary"/> is the plugin executable to run (the built one when null), e.g. one
    /// a <see cref="PluginCache"/> resolved.
    /// </summary>
    public static async Task<Stack> StartAsync(string configJson = "{}", IDictionary<string, string>? environment = null, string stack = "dev", string project = "lab",
        IEnumerable<string>? extraArgs = null, PluginPlacement? placement = null, string? binary = null)
    {
        var engine = await FakeEngine.StartAsync(placement?.NetnsPath).ConfigureAwait(false);
        ProviderProcess? provider = null;
        try
        {
            provider = await ProviderProcess.StartAsync(engine.Address, ["--logtostderr", .. extraArgs ?? []], environment, binary, placement).ConfigureAwait(false);
            var s = new Stack(provider, engine, stack, project, ownsProcess: true);
            await s.ConfigureAsync(configJson).ConfigureAwait(false);
            return s;
        }
        catch
        {
            // What the plugin said about it is the first thing to read when a start fails.
            if (provider is not null && provider.Stderr.Length > 0) Console.Error.WriteLine($"plugin stderr:\n{provider.Stderr}");
            if (provider is not null) await provider.DisposeAsync().ConfigureAwait(false);
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task ConfigureAsync(string configJson) => ConfigureAsync(Provider, DefaultProvider, configJson);

    /// <summary>
    /// An explicit provider (`new Kvm.Provider(name, args)` in a program): its own plugin process, started
    /// like the default one and sharing the engine; resources declared with <see cref="ResourceDecl.Provider"/> = <paramref name="name"/> use it.
    /// </summary>
    public async Task<ProviderProcess> AddProviderAsync(string name, string configJson, IEnumerable<string>? extraArgs = null, PluginPlacement? placement = null)
    {
        if (_providers.ContainsKey(name)) throw new InvalidOperationException($"the stack already has a provider named {name}");
        var provider = await ProviderProcess.StartAsync(Engine.Address, ["--logtostderr", .. extraArgs ?? []], placement: placement).ConfigureAwait(false);
        try
        {
            await ConfigureAsync(provider, name, configJson).ConfigureAwait(false);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _providers[name] = provider;
        return provider;
    }

    private ResourceProvider.ResourceProviderClient ClientOf(string? provider) =>
        (_providers.TryGetValue(provider ?? DefaultProvider, out var p) ? p : throw new InvalidOperationException($"the stack has no provider named {provider}")).Client;

    private async Task ConfigureAsync(ProviderProcess provider, string name, string configJson)
    {
        var client = provider.Client;
        await client.GetPluginInfoAsync(new Empty());
        var config = Props.Parse(configJson);
        var urn = $"urn:pulumi:{StackName}::{Project}::pulumi:providers:kvm::{name}";
        var checkedConfig = await client.CheckConfigAsync(new CheckRequest { Urn = urn, Name = name, Type = "pulumi:providers:kvm", Olds = new Struct(), News = config });
        if (checkedConfig.Failures.Count > 0)
            throw new InvalidOperationException("provider config refused: " + string.Join("; ", checkedConfig.Failures.Select(f => $"{f.Property}: {f.Reason}")));
        var request = new ConfigureRequest { Args = checkedConfig.Inputs, AcceptSecrets = true, AcceptResources = true, SendsOldInputs = true, SendsOldInputsToDelete = true };
        foreach (var (k, v) in checkedConfig.Inputs.Fields)
            request.Variables[$"kvm:config:{k}"] = v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : JsonFormatter.Default.Format(v);
        await client.ConfigureAsync(request);
    }

    public string Urn(string type, string name) => $"urn:pulumi:{StackName}::{Project}::{type}::{name}";

    public Task<RunResult> PreviewAsync(params ResourceDecl[] program) => RunAsync(program, preview: true);

    public Task<RunResult> UpAsync(params ResourceDecl[] program) => RunAsync(program, preview: false);

    private async Task<RunResult> RunAsync(ResourceDecl[] program, bool preview)
    {
        var command = preview ? StackCommand.Preview : StackCommand.Up;
        var steps = new List<Step>();
        var planned = new Dictionary<string, Struct>(StringComparer.Ordinal);
        foreach (var decl in program)
        {
            var step = await StepAsync(decl, preview, planned).ConfigureAwait(false);
            steps.Add(step);
            if (step.Op == StepOp.Failed) return new RunResult(steps, command);
        }
        // Resources no longer in the program are deleted, dependents first.
        var wanted = program.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _state.Where(r => !wanted.Contains(r.Name)).Reverse().ToList())
        {
            var step = new Step(StepOp.Delete, gone.Type, gone.Name, gone.Urn) { Id = gone.Id, OldOutputs = gone.Outputs };
            if (!preview)
            {
                var error = await TryAsync(() => DeleteAsync(gone)).ConfigureAwait(false);
                if (error is not null) { steps.Add(Failed(step, error)); return new RunResult(steps, command); }
                _state.Remove(gone);
            }
            steps.Add(step);
        }
        return new RunResult(steps, command);
    }

    private async Task<Step> StepAsync(ResourceDecl decl, bool preview, Dictionary<string, Struct> planned)
    {
        var client = ClientOf(decl.Provider);
        var urn = Urn(decl.Type, decl.Name);
        var existing = _state.SingleOrDefault(r => r.Name == decl.Name);
        var inputs = Props.Resolve(Props.Parse(decl.InputsJson), (res, prop) =>
            planned.TryGetValue(res, out var o) ? Props.Get(o, prop) : null);
        var baseStep = new Step(StepOp.Same, decl.Type, decl.Name, urn) { Inputs = inputs, Id = existing?.Id, OldOutputs = existing?.Outputs };

        CheckResponse check;
        try
        {
            check = await client.CheckAsync(new CheckRequest
            {
                Urn = urn, Name = decl.Name, Type = decl.Type,
                Olds = existing?.Inputs ?? new Struct(), News = inputs,
                RandomSeed = ByteString.CopyFrom(new byte[32]),
            });
        }
        catch (RpcException e) { return Failed(baseStep, e); }
        if (check.Failures.Count > 0)
            return baseStep with { Op = StepOp.Failed, Failures = [.. check.Failures], Error = "Check refused the inputs" };
        var checkedInputs = check.Inputs;
        baseStep = baseStep with { Inputs = checkedInputs };

        if (existing is null)
        {
            try
            {
                var created = await client.CreateAsync(new CreateRequest { Urn = urn, Name = decl.Name, Type = decl.Type, Properties = checkedInputs, Preview = preview, Timeout = 300 });
                planned[decl.Name] = created.Properties;
                if (!preview) _state.Add(new ResourceState(decl.Type, decl.Name, urn, created.Id, checkedInputs, created.Properties) { Provider = decl.Provider ?? DefaultProvider });
                return baseStep with { Op = StepOp.Create, Id = created.Id, Outputs = created.Properties };
            }
            catch (RpcException e)
            {
                if (!preview && InitFailure(e) is { } init)
                    _state.Add(new ResourceState(decl.Type, decl.Name, urn, init.Id, checkedInputs, init.Properties) { InitErrors = true, Provider = decl.Provider ?? DefaultProvider });
                return Failed(baseStep, e);
            }
        }

        DiffResponse diff;
        try
        {
            var diffRequest = new DiffRequest
            {
                Id = existing.Id, Urn = urn, Name = decl.Name, Type = decl.Type,
                Olds = existing.Outputs, News = checkedInputs, OldInputs = existing.Inputs,
            };
            diffRequest.IgnoreChanges.AddRange(decl.IgnoreChanges);
            diff = await client.DiffAsync(diffRequest);
        }
        catch (RpcException e) { return Failed(baseStep, e); }
        baseStep = baseStep with { Diff = diff };

        if (diff.Changes != DiffResponse.Types.DiffChanges.DiffSome && !existing.InitErrors)
        {
            planned[decl.Name] = existing.Outputs;
            return baseStep;
        }

        if (diff.Replaces.Count > 0)
        {
            try
            {
                if (preview)
                {
                    var plannedCreate = await client.CreateAsync(new CreateRequest { Urn = urn, Name = decl.Name, Type = decl.Type, Properties = checkedInputs, Preview = true, Timeout = 300 });
                    planned[decl.Name] = plannedCreate.Properties;
                    return baseStep with { Op = StepOp.Replace, Outputs = plannedCreate.Properties };
                }
                // The engine deletes first when the provider asks (names unique on the host), else creates first.
                if (diff.DeleteBeforeReplace)
                {
                    await DeleteAsync(existing).ConfigureAwait(false);
                    _state.Remove(existing);
                }
                var created = await client.CreateAsync(new CreateRequest { Urn = urn, Name = decl.Name, Type = decl.Type, Properties = checkedInputs, Preview = false, Timeout = 300 });
                if (!diff.DeleteBeforeReplace)
                {
                    await DeleteAsync(existing).ConfigureAwait(false);
                    _state.Remove(existing);
                }
                _state.Add(new ResourceState(decl.Type, decl.Name, urn, created.Id, checkedInputs, created.Properties) { Provider = decl.Provider ?? DefaultProvider });
                planned[decl.Name] = created.Properties;
                return baseStep with { Op = StepOp.Replace, Id = created.Id, Outputs = created.Properties };
            }
            catch (RpcException e) { return Failed(baseStep, e); }
        }

        try
        {
            var request = new UpdateRequest
            {
                Id = existing.Id, Urn = urn, Name = decl.Name, Type = decl.Type,
                Olds = existing.Outputs, News = checkedInputs, OldInputs = existing.Inputs, Preview = preview, Timeout = 300,
            };
            request.IgnoreChanges.AddRange(decl.IgnoreChanges);
            var updated = await client.UpdateAsync(request);
            planned[decl.Name] = updated.Properties;
            if (!preview)
                Replace(existing, existing with { Inputs = checkedInputs, Outputs = updated.Properties, InitErrors = false });
            return baseStep with { Op = StepOp.Update, Outputs = updated.Properties };
        }
        catch (RpcException e)
        {
            if (!preview && InitFailure(e) is { } init)
                Replace(existing, existing with { Inputs = checkedInputs, Outputs = init.Properties, InitErrors = true });
            return Failed(baseStep, e);
        }
    }

    /// <summary>`pulumi refresh`: Read every resource; gone ones leave the state, drift is recorded.</summary>
    public async Task<RunResult> RefreshAsync()
    {
        var steps = new List<Step>();
        foreach (var r in _state.ToList())
        {
            var (step, next) = await ReadForRefreshAsync(r).ConfigureAwait(false);
            Apply(r, step, next);
            steps.Add(step);
        }
        return new RunResult(steps, StackCommand.Refresh);
    }

    /// <summary>The engine's default `--parallel` (2147483647): every resource's operation may run at once.</summary>
    public const int UnboundedParallelism = int.MaxValue;

    /// <summary>
    /// `pulumi refresh` as the engine runs it: up to <paramref name="parallelism"/> Reads in flight at
    /// once (its `--parallel`; <see cref="UnboundedParallelism"/> is the default). The steps come back in
    /// state order and the state ends as after <see cref="RefreshAsync()"/>, which reads one at a time.
    /// </summary>
    public async Task<RunResult> RefreshAsync(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var resources = _state.ToList();
        using var gate = new SemaphoreSlim(Math.Min(parallelism, Math.Max(resources.Count, 1)));
        var reads = await Task.WhenAll(resources.Select(async r =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try { return await ReadForRefreshAsync(r).ConfigureAwait(false); }
            finally { gate.Release(); }
        })).ConfigureAwait(false);
        // The state changes only once every Read is back, so no Read saw another's outcome.
        for (var i = 0; i < resources.Count; i++) Apply(resources[i], reads[i].Step, reads[i].Next);
        return new RunResult([.. reads.Select(x => x.Step)], StackCommand.Refresh);
    }

    /// <summary>
    /// Replaces the state with <paramref name="state"/>, as the engine reads its state file when a command
    /// starts: a fresh plugin then serves resources it never created or imported itself.
    /// </summary>
    public void LoadState(IEnumerable<ResourceState> state)
    {
        var loaded = state.ToList();
        if (loaded.FirstOrDefault(r => !_providers.ContainsKey(r.Provider)) is { } orphan)
            throw new InvalidOperationException($"{orphan.Name} belongs to provider {orphan.Provider}, which this stack does not have");
        _state.Clear();
        _state.AddRange(loaded);
    }

    /// <summary>One resource's Read for a refresh: its step, and what the state holds for it afterwards (null: nothing changes).</summary>
    private async Task<(Step Step, ResourceState? Next)> ReadForRefreshAsync(ResourceState r)
    {
        var step = new Step(StepOp.Same, r.Type, r.Name, r.Urn) { Id = r.Id, OldOutputs = r.Outputs, Inputs = r.Inputs };
        ReadResponse read;
        try
        {
            read = await ClientOf(r.Provider).ReadAsync(new ReadRequest { Id = r.Id, Urn = r.Urn, Name = r.Name, Type = r.Type, Properties = r.Outputs, Inputs = r.Inputs });
        }
        catch (RpcException e) { return (Failed(step, e), null); }
        if (read.Id.Length == 0) return (step with { Op = StepOp.Delete }, null);
        var changed = !read.Properties.Equals(r.Outputs) || !(read.Inputs ?? r.Inputs).Equals(r.Inputs);
        return (step with { Op = changed ? StepOp.Refresh : StepOp.Same, Outputs = read.Properties, Inputs = read.Inputs },
            r with { Id = read.Id, Outputs = read.Properties, Inputs = read.Inputs ?? r.Inputs });
    }

    /// <summary>Records a refresh step in the state: a gone resource leaves it, a read one takes what was read.</summary>
    private void Apply(ResourceState r, Step step, ResourceState? next)
    {
        if (step.Op == StepOp.Delete) _state.Remove(r);
        else if (next is not null) Replace(r, next);
    }

    /// <summary>
    /// `pulumi import TYPE NAME ID`, as the engine's import step does it: Read with only the id,
    /// Check the inputs it returns, then Diff those checked inputs against the state Read reported.
    /// Any change fails the import ("inputs to import do not match the existing resource"): an
    /// imported resource must be what the host has.
    /// </summary>
    public async Task<RunResult> ImportAsync(string type, string name, string id, string? provider = null)
    {
        var client = ClientOf(provider);
        static RunResult Result(Step step) => new([step], StackCommand.Import);
        var urn = Urn(type, name);
        var step = new Step(StepOp.Import, type, name, urn) { Id = id };
        try
        {
            var read = await client.ReadAsync(new ReadRequest { Id = id, Urn = urn, Name = name, Type = type });
            if (read.Id.Length == 0) return Result(step with { Op = StepOp.Failed, Error = $"{type} \"{id}\" does not exist" });
            if (read.Inputs is null) return Result(step with { Op = StepOp.Failed, Error = "the provider returned no inputs: import not supported" });
            var check = await client.CheckAsync(new CheckRequest { Urn = urn, Name = name, Type = type, Olds = read.Inputs, News = read.Inputs });
            if (check.Failures.Count > 0)
                return Result(step with { Op = StepOp.Failed, Inputs = read.Inputs, Failures = [.. check.Failures], Error = "Check refused the imported inputs" });
            var diff = await client.DiffAsync(new DiffRequest
            {
                Id = read.Id, Urn = urn, Name = name, Type = type, Olds = read.Properties, News = check.Inputs, OldInputs = read.Inputs,
            });
            var imported = step with { Id = read.Id, Inputs = check.Inputs, OldOutputs = read.Properties, Outputs = read.Properties, Diff = diff };
            if (diff.Changes == DiffResponse.Types.DiffChanges.DiffSome)
                return Result(imported with { Op = StepOp.Failed, Error = "inputs to import do not match the existing resource" });
            _state.Add(new ResourceState(type, name, urn, read.Id, check.Inputs, read.Properties) { Provider = provider ?? DefaultProvider });
            return Result(imported);
        }
        catch (RpcException e) { return Result(Failed(step, e)); }
    }

    /// <summary>`pulumi destroy`: Delete everything, last created first.</summary>
    public async Task<RunResult> DestroyAsync()
    {
        var steps = new List<Step>();
        foreach (var r in _state.AsEnumerable().Reverse().ToList())
        {
            var step = new Step(StepOp.Delete, r.Type, r.Name, r.Urn) { Id = r.Id, OldOutputs = r.Outputs };
            var error = await TryAsync(() => DeleteAsync(r)).ConfigureAwait(false);
            if (error is not null) { steps.Add(Failed(step, error)); return new RunResult(steps, StackCommand.Destroy); }
            _state.Remove(r);
            steps.Add(step);
        }
        return new RunResult(steps, StackCommand.Destroy);
    }

    /// <summary>Forgets a resource without deleting it (`pulumi state delete`).</summary>
    public void Forget(string name) => _state.RemoveAll(r => r.Name == name);

    private async Task DeleteAsync(ResourceState r) =>
        await ClientOf(r.Provider).DeleteAsync(new DeleteRequest { Id = r.Id, Urn = r.Urn, Name = r.Name, Type = r.Type, Properties = r.Outputs, OldInputs = r.Inputs, Timeout = 300 });

    private void Replace(ResourceState old, ResourceState updated) => _state[_state.IndexOf(old)] = updated;

    private static async Task<RpcException?> TryAsync(Func<Task> action)
    {
        try { await action().ConfigureAwait(false); return null; }
        catch (RpcException e) { return e; }
    }

    private static Step Failed(Step step, RpcException e) =>
        step with { Op = StepOp.Failed, Error = e.Status.Detail, ErrorCode = e.StatusCode };

    /// <summary>The ErrorResourceInitFailed detail of an error, if the provider attached one.</summary>
    public static ErrorResourceInitFailed? InitFailure(RpcException e)
    {
        var bytes = e.Trailers.GetValueBytes("grpc-status-details-bin");
        if (bytes is null) return null;
        var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
        return status.Details.FirstOrDefault(d => d.Is(ErrorResourceInitFailed.Descriptor))?.Unpack<ErrorResourceInitFailed>();
    }

    public async ValueTask DisposeAsync()
    {
        // The engine ends every plugin it started: Cancel, then the process. Explicit providers are always ours.
        foreach (var (name, provider) in _providers)
        {
            if (name == DefaultProvider && !_ownsProcess) continue;
            try
            {
                await provider.Client.CancelAsync(new Empty(), deadline: DateTime.UtcNow.AddSeconds(5));
            }
            catch (RpcException) { }
            await provider.DisposeAsync().ConfigureAwait(false);
        }
        if (_ownsProcess) await Engine.DisposeAsync().ConfigureAwait(false);
    }
}
