using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Host;
using Kvm.Provider.Remote;
using Kvm.Provider.Resources;
using Kvm.Provider.Schema;
using Kvm.Provider.Values;
using Pulumirpc;
using Res = Kvm.Provider.Resources;

namespace Kvm.Provider.Rpc;

/// <summary>
/// pulumirpc.ResourceProvider: decodes the engine's requests, dispatches them by type token to the
/// resources, and encodes the answers. With a remote host configured, every call that acts on
/// resources goes to the plugin's agent on that host instead (see <see cref="IRemoteHost"/>), which
/// answers it with this same class against its own kernel and libvirt. Every handler is stateless
/// apart from the shared host.
/// </summary>
/// <param name="onRemoteHost">This is the plugin's agent on a remote host (configuration failures name the user's keys as the workstation sees them).</param>
internal sealed class ResourceProviderService(ProviderHost host, ResourceRegistry registry, EngineLog? engineLog, bool onRemoteHost = false)
{
    public Task<PluginInfo> GetPluginInfo(Empty request, CancellationToken ct) =>
        Task.FromResult(new PluginInfo { Version = PluginPackage.Version });

    public Task<GetSchemaResponse> GetSchema(GetSchemaRequest request, CancellationToken ct)
    {
        if (request.SubpackageName.Length > 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"kvm has no subpackage \"{request.SubpackageName}\""));
        return Task.FromResult(new GetSchemaResponse { Schema = registry.SchemaJson });
    }

    public Task<Empty> Attach(PluginAttach request, CancellationToken ct)
    {
        engineLog?.Attach(request.Address);
        return Task.FromResult(new Empty());
    }

    public Task<Empty> Cancel(Empty request, CancellationToken ct)
    {
        host.Cancel();
        return Task.FromResult(new Empty());
    }

    public Task<Pulumirpc.CheckResponse> CheckConfig(Pulumirpc.CheckRequest request, CancellationToken ct) => Guard("CheckConfig", [request.Olds, request.News], () =>
    {
        var news = StructCodec.Decode(request.News);
        var bound = PropertyBinder.Bind<ProviderConfig>(ConfigKeys(news));
        var failures = bound.Failures.Concat(bound.Value.Validate());
        var response = new Pulumirpc.CheckResponse { Inputs = StructCodec.Encode(news) };
        response.Failures.AddRange(failures.Select(ToProto));
        return Task.FromResult(response);
    });

    public Task<DiffResponse> DiffConfig(Pulumirpc.DiffRequest request, CancellationToken ct) => Guard("DiffConfig", [request.Olds, request.News, request.OldInputs], () =>
    {
        var olds = ConfigKeys(StructCodec.Decode(request.OldInputs ?? request.Olds));
        if (olds.Fields.Count == 0) olds = ConfigKeys(StructCodec.Decode(request.Olds));
        var news = ConfigKeys(StructCodec.Decode(request.News));
        // A different host or namespace makes every resource of the old provider unmanageable: those keys
        // replace (ReplaceOnChanges); other settings (the hooks folder) change in place.
        var diff = DiffEngine.Compute(ObjectShape.Of<ProviderConfig>(), olds, news, olds, request.IgnoreChanges, deleteBeforeReplace: false);
        return Task.FromResult(ToProto(diff));
    });

    public Task<ConfigureResponse> Configure(ConfigureRequest request, CancellationToken ct) => Guard("Configure", [request.Args], async () =>
    {
        var args = request.Args is { Fields.Count: > 0 } ? StructCodec.Decode(request.Args) : FromVariables(request.Variables);
        var bound = PropertyBinder.Bind<ProviderConfig>(ConfigKeys(args));
        var failures = bound.Failures.Concat(bound.Value.Validate(onRemoteHost)).ToList();
        if (failures.Count > 0)
            throw ProviderException.InvalidArgument($"invalid provider configuration: {string.Join("; ", failures)}");
        host.Configure(bound.Value, PlacementKeys.FirstOrDefault(bound.IsUnknown));
        if (host.Remote is { } remote && bound.Value.Remote is { } target)
        {
            // The agent on the host is configured as a provider there: the same settings, as that host sees them.
            var onHost = new ConfigureRequest
            {
                Args = StructCodec.Encode(Writer.Write(target.OnHost, inputsOnly: true)),
                AcceptSecrets = request.AcceptSecrets,
                AcceptResources = request.AcceptResources,
                SendsOldInputs = request.SendsOldInputs,
                SendsOldInputsToDelete = request.SendsOldInputsToDelete,
            };
            await remote.ConfigureAsync(onHost, ct).ConfigureAwait(false);
        }
        return new ConfigureResponse
        {
            AcceptSecrets = true,
            SupportsPreview = true,
            AcceptResources = true,
            AcceptOutputs = false,
        };
    });

    public Task<InvokeResponse> Invoke(InvokeRequest request, CancellationToken ct) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, $"the kvm provider has no functions (asked for \"{request.Tok}\")"));

    public Task<Pulumirpc.CheckResponse> Check(Pulumirpc.CheckRequest request, CancellationToken ct) =>
        host.Remote is { } remote ? ForwardAsync(remote, AgentMethods.Check, request, CallSafety.Retryable, ct) :
        // Where the provider acts is not known yet (a preview): the inputs pass as they are, the host checks them at `pulumi up`.
        host.UnknownPlacement is not null ? Task.FromResult(new Pulumirpc.CheckResponse { Inputs = request.News }) :
        Guard("Check", [request.Olds, request.News], async () =>
        {
            var resource = registry.Resolve(request.Type, request.Urn);
            var result = await resource.CheckAsync(new Res.CheckRequest(request.Urn, request.Name,
                StructCodec.Decode(request.Olds), StructCodec.Decode(request.News)), Token(ct)).ConfigureAwait(false);
            var response = new Pulumirpc.CheckResponse { Inputs = StructCodec.Encode(result.Inputs) };
            response.Failures.AddRange(result.Failures.Select(ToProto));
            return response;
        });

    public Task<DiffResponse> Diff(Pulumirpc.DiffRequest request, CancellationToken ct) =>
        host.Remote is { } remote ? ForwardAsync(remote, AgentMethods.Diff, request, CallSafety.Retryable, ct) :
        host.UnknownPlacement is not null ? Task.FromResult(new DiffResponse { Changes = DiffResponse.Types.DiffChanges.DiffUnknown }) :
        Guard("Diff", [request.Olds, request.News, request.OldInputs], async () =>
        {
            var resource = registry.Resolve(request.Type, request.Urn);
            var result = await resource.DiffAsync(new Res.DiffRequest(request.Id, request.Urn, StructCodec.Decode(request.Olds),
                StructCodec.Decode(request.News), StructCodec.Decode(request.OldInputs), [.. request.IgnoreChanges]), Token(ct)).ConfigureAwait(false);
            return ToProto(result);
        });

    public Task<CreateResponse> Create(Pulumirpc.CreateRequest request, CancellationToken ct) =>
        host.Remote is { } remote ? CreateRemotelyAsync(remote, request, ct) :
        host.UnknownPlacement is not null && request.Preview ? Task.FromResult(new CreateResponse { Properties = request.Properties }) :
        Guard("Create", [request.Properties], async () =>
        {
            var resource = registry.Resolve(request.Type, request.Urn);
            var result = await resource.CreateAsync(new Res.CreateRequest(request.Urn, request.Name, StructCodec.Decode(request.Properties),
                request.Preview, Timeout(request.Timeout)), Token(ct)).ConfigureAwait(false);
            return new CreateResponse { Id = result.Id, Properties = StructCodec.Encode(result.State) };
        });

    /// <summary>
    /// A Create whose session dies before the answer may or may not have made the object. When its id
    /// follows from its inputs (a name), the engine is told the object may exist under that id
    /// (ErrorResourceInitFailed), so it is tracked: the next refresh finds it, or finds it gone.
    /// </summary>
    private Task<CreateResponse> CreateRemotelyAsync(IRemoteHost remote, Pulumirpc.CreateRequest request, CancellationToken ct) => Guard("Create", [request.Properties], async () =>
    {
        try
        {
            return await remote.CallAsync(AgentMethods.Create, request, request.Preview ? CallSafety.Retryable : CallSafety.Once, ct).ConfigureAwait(false);
        }
        catch (AgentConnectionLostException lost) when (!request.Preview && lost.MayHaveRun
            && registry.Resolve(request.Type, request.Urn).ProvisionalId(StructCodec.Decode(request.Properties)) is { } id)
        {
            var inputs = StructCodec.Decode(request.Properties);
            throw new ResourceInitFailedException(id, inputs,
                $"{lost.Message}; if it was created it is recorded under id \"{id}\": run `pulumi refresh` (or `pulumi up --refresh`) to see what the host holds")
            { Properties = inputs, Inputs = inputs };
        }
    });

    public Task<ReadResponse> Read(Pulumirpc.ReadRequest request, CancellationToken ct) =>
        host.Remote is { } remote ? ForwardAsync(remote, AgentMethods.Read, request, CallSafety.Retryable, ct) :
        Guard("Read", [request.Properties, request.Inputs], async () =>
        {
            var resource = registry.Resolve(request.Type, request.Urn);
            var result = await resource.ReadAsync(new Res.ReadRequest(request.Id, request.Urn, StructCodec.Decode(request.Properties),
                StructCodec.Decode(request.Inputs)), Token(ct)).ConfigureAwait(false);
            if (result.IsGone) return new ReadResponse { Id = "" };
            return new ReadResponse
            {
                Id = result.Id,
                Properties = StructCodec.Encode(result.State),
                Inputs = StructCodec.Encode(result.Inputs),
            };
        });

    public Task<UpdateResponse> Update(Pulumirpc.UpdateRequest request, CancellationToken ct) =>
        host.Remote is { } remote ? ForwardAsync(remote, AgentMethods.Update, request, request.Preview ? CallSafety.Retryable : CallSafety.Once, ct) :
        host.UnknownPlacement is not null && request.Preview ? Task.FromResult(new UpdateResponse { Properties = request.News }) :
        Guard("Update", [request.Olds, request.News, request.OldInputs], async () =>
        {
            var resource = registry.Resolve(request.Type, request.Urn);
            if (string.IsNullOrEmpty(request.Id))
                throw ProviderException.InvalidArgument("Update needs the id of the resource");
            var result = await resource.UpdateAsync(new Res.UpdateRequest(request.Id, request.Urn, StructCodec.Decode(request.Olds),
                StructCodec.Decode(request.News), StructCodec.Decode(request.OldInputs), request.Preview, [.. request.IgnoreChanges],
                Timeout(request.Timeout)), Token(ct)).ConfigureAwait(false);
            return new UpdateResponse { Properties = StructCodec.Encode(result) };
        });

    public Task<Empty> Delete(Pulumirpc.DeleteRequest request, CancellationToken ct) =>
        host.Remote is { } remote ? ForwardAsync(remote, AgentMethods.Delete, request, CallSafety.Once, ct) :
        Guard("Delete", [request.Properties, request.OldInputs], async () =>
        {
            var resource = registry.Resolve(request.Type, request.Urn);
            if (string.IsNullOrEmpty(request.Id))
                throw ProviderException.InvalidArgument("Delete needs the id of the resource");
            await resource.DeleteAsync(new Res.DeleteRequest(request.Id, request.Urn, StructCodec.Decode(request.Properties),
                StructCodec.Decode(request.OldInputs), Timeout(request.Timeout)), Token(ct)).ConfigureAwait(false);
            return new Empty();
        });

    /// <summary>
    /// A call answered by the agent on the remote host. The engine's Cancel goes to the agent (see Cancel),
    /// which stops at its next step and answers: waiting for that answer, not dropping the call here, is
    /// what leaves the host in a known state.
    /// </summary>
    private static Task<TResponse> ForwardAsync<TRequest, TResponse>(IRemoteHost remote, AgentMethod<TRequest, TResponse> method, IMessage request, CallSafety safety, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        // The agent on the host scrubbed what it says; nothing is added here.
        Guard(method.Name, [], () => remote.CallAsync(method, request, safety, ct));

    private CancellationToken Token(CancellationToken ct) =>
        CancellationTokenSource.CreateLinkedTokenSource(ct, host.Cancellation).Token;

    private static TimeSpan? Timeout(double seconds) => seconds > 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>
    /// Serves one request: what it logs and what it throws leave without the values that arrived secret
    /// in <paramref name="values"/> (log lines are written deep in appliers that do not know which were).
    /// </summary>
    private static async Task<T> Guard<T>(string operation, Struct?[] values, Func<Task<T>> body)
    {
        var secrets = SecretsOf(values);
        using var scope = SecretScrubber.Enter(secrets);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw ErrorMapping.ToRpc(e, operation, secrets);
        }
    }

    /// <summary>
    /// The secrets among a request's values. A value that does not decode holds no secret this code could
    /// name, and the call itself refuses it (InvalidArgument, from inside the guard).
    /// </summary>
    private static SecretScrubber SecretsOf(Struct?[] values)
    {
        try
        {
            return SecretScrubber.Of([.. values.Where(v => v is not null).Select(v => (PropertyValue?)StructCodec.Decode(v!))]);
        }
        catch (PropertyValueException)
        {
            return SecretScrubber.None;
        }
    }

    /// <summary>The configuration keys that decide which host and namespace the provider acts on.</summary>
    private static readonly string[] PlacementKeys = ["host", "uri", "netns", "hostNetns"];

    /// <summary>Keys the engine adds to every provider's inputs; they are not ours to check.</summary>
    private static readonly HashSet<string> EngineKeys = ["version", "pluginDownloadURL", "__internal"];

    /// <summary>Config arrives keyed `uri` in args but `kvm:config:uri` in variables; accept both.</summary>
    private static ObjectValue ConfigKeys(ObjectValue config) =>
        ObjectValue.From(config.Fields.Where(f => !EngineKeys.Contains(f.Key)).Select(f =>
        {
            var key = f.Key.StartsWith("kvm:config:", StringComparison.Ordinal) ? f.Key["kvm:config:".Length..] :
                f.Key.StartsWith("kvm:", StringComparison.Ordinal) ? f.Key["kvm:".Length..] : f.Key;
            return new KeyValuePair<string, PropertyValue>(key, Typed(key, f.Value));
        }));

    /// <summary>
    /// Stack configuration reaches a provider as text: `pulumi config set kvm:sshControlPersist 5` arrives as
    /// the string "5" (the engine JSON-encodes nothing for plain values). A key the schema types as a number
    /// or a boolean is read from that text; what does not parse stays a string, for the binder to refuse by name.
    /// </summary>
    private static PropertyValue Typed(string key, PropertyValue value)
    {
        if (value is SecretValue secret) return PropertyValue.Secret(Typed(key, secret.Inner));
        if (value is not Values.StringValue { Value: var text }
            || ObjectShape.Of<ProviderConfig>().Inputs.FirstOrDefault(p => p.Name == key)?.Type is not ScalarShape { Kind: not ScalarKind.String } scalar)
            return value;
        text = text.Trim();
        if (scalar.Kind == ScalarKind.Boolean)
            return bool.TryParse(text, out var b) ? PropertyValue.Of(b) : value;
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? PropertyValue.Of(d) : value;
    }

    private static ObjectValue FromVariables(IDictionary<string, string> variables) =>
        ObjectValue.From(variables.Select(v => new KeyValuePair<string, PropertyValue>(v.Key, PropertyValue.Of(v.Value))));

    private static Pulumirpc.CheckFailure ToProto(Values.CheckFailure f) => new() { Property = f.Property, Reason = f.Reason };

    private static DiffResponse ToProto(DiffResult diff)
    {
        var response = new DiffResponse
        {
            Changes = diff.HasChanges ? DiffResponse.Types.DiffChanges.DiffSome : DiffResponse.Types.DiffChanges.DiffNone,
            DeleteBeforeReplace = diff.DeleteBeforeReplace,
            HasDetailedDiff = true,
        };
        response.Diffs.AddRange(diff.Diffs);
        response.Replaces.AddRange(diff.Replaces);
        foreach (var (path, kind) in diff.Detailed)
            response.DetailedDiff[path] = new PropertyDiff { Kind = (PropertyDiff.Types.Kind)(int)kind, InputDiff = true };
        return response;
    }
}
