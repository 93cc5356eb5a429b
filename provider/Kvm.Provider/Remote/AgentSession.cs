using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Kvm.Provider.Diagnostics;
using Kvm.Provider.Remote.Wire;
using Kvm.Provider.Rpc;

namespace Kvm.Provider.Remote;

/// <summary>How starting the agent over ssh ended: a live session, or ssh's exit with what it printed.</summary>
internal sealed record AgentStart(AgentSession? Session, int ExitCode, string Stderr);

/// <summary>
/// One SSH session with the plugin's agent on a host: every call of the plugin goes over it as a
/// frame, many at once (each answered when the agent is done with it), and the agent's log lines
/// come back the same way. When the session ends, every call still waiting fails with
/// <see cref="AgentConnectionLostException"/>; the owner (<see cref="RemoteHost"/>) opens a new one.
/// </summary>
internal sealed class AgentSession : IAsyncDisposable
{
    /// <summary>How long a new session may take to say hello: ssh's own connect timeout, plus starting the agent.</summary>
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(90);

    private readonly SshProcess _ssh;
    private readonly FrameStream _frames;
    private readonly SshDestination _host;
    private readonly Func<Log, Task> _onLog;
    private readonly ConcurrentDictionary<ulong, (string Method, TaskCompletionSource<Frame> Answer)> _pending = new();
    private long _nextId;
    private volatile string? _ended;
    private Task _readLoop = Task.CompletedTask;

    public Hello Hello { get; }

    /// <summary>What a login shell printed before the agent started (usually nothing).</summary>
    public byte[] Noise { get; }

    public bool IsAlive => _ended is null;

    /// <summary>The Configure request this session's agent was configured with (owned by <see cref="RemoteHost"/>).</summary>
    public Pulumirpc.ConfigureRequest? ConfiguredWith { get; set; }

    private AgentSession(SshProcess ssh, FrameStream frames, SshDestination host, Hello hello, byte[] noise, Func<Log, Task> onLog)
    {
        _ssh = ssh;
        _frames = frames;
        _host = host;
        Hello = hello;
        Noise = noise;
        _onLog = onLog;
    }

    /// <summary>Runs the agent on the host over ssh (<paramref name="sshArgs"/>; ssh's log file, if it has one, is <paramref name="sshLog"/>) and waits for its hello.</summary>
    public static async Task<AgentStart> StartAsync(IReadOnlyList<string> sshArgs, string? sshLog, SshDestination host, Func<Log, Task> onLog, Action<string>? onStderr, CancellationToken ct)
    {
        var ssh = SshProcess.Start(sshArgs, onStderr, sshLog);
        var frames = new FrameStream(ssh.Output, ssh.Input);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(HelloTimeout);
        try
        {
            var noise = await frames.SkipToMarkerAsync(AgentProtocol.Marker, 64 * 1024, deadline.Token).ConfigureAwait(false);
            if (noise is null) return await FailedAsync(ssh, frames).ConfigureAwait(false);
            var first = await frames.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (first?.BodyCase != Frame.BodyOneofCase.Hello)
                throw new AgentProtocolException($"the agent on {host} began with {first?.BodyCase.ToString() ?? "nothing"} instead of its hello");
            var session = new AgentSession(ssh, frames, host, first.Hello, noise, onLog);
            session._readLoop = Task.Run(session.ReadLoopAsync, CancellationToken.None);
            return new AgentStart(session, 0, "");
        }
        catch (AgentProtocolException)
        {
            // The remote side printed something and quit (a shell's "not found", a loader error): that is the story.
            if (await ExitsSoonAsync(ssh).ConfigureAwait(false)) return await FailedAsync(ssh, frames).ConfigureAwait(false);
            await DiscardAsync(ssh, frames).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await DiscardAsync(ssh, frames).ConfigureAwait(false);
            throw new AgentConnectionLostException($"{host}: the provider's agent did not start within {HelloTimeout.TotalSeconds:0} s", mayHaveRun: false);
        }
        catch
        {
            await DiscardAsync(ssh, frames).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<bool> ExitsSoonAsync(SshProcess ssh)
    {
        try
        {
            await ssh.Exited.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<AgentStart> FailedAsync(SshProcess ssh, FrameStream frames)
    {
        var exit = await ssh.Exited.ConfigureAwait(false);
        var stderr = ssh.StderrTail;
        await DiscardAsync(ssh, frames).ConfigureAwait(false);
        return new AgentStart(null, exit, stderr);
    }

    private static async Task DiscardAsync(SshProcess ssh, FrameStream frames)
    {
        await frames.DisposeAsync().ConfigureAwait(false);
        await ssh.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends one call and waits for its answer; a Fault comes back as the RpcException the agent's provider raised, naming the host.</summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(AgentMethod<TRequest, TResponse> method, IMessage request, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        if (_ended is { } ended) throw new AgentConnectionLostException(ended, mayHaveRun: false);
        var id = (ulong)Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (method.Name, answer);
        try
        {
            await _frames.WriteAsync(new Frame { Id = id, Call = new Call { Method = method.Name, Request = request.ToByteString() } }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _pending.TryRemove(id, out _);
            throw new AgentConnectionLostException(_ended ?? $"the connection to {_host} is gone ({e.Message}); {method.Name} was not sent", mayHaveRun: false, e);
        }
        // The session may have ended while the call was being written: make sure it does not wait forever.
        if (_ended is { } endedSince && _pending.TryRemove(id, out _))
            throw new AgentConnectionLostException(endedSince, mayHaveRun: true);

        Frame frame;
        try
        {
            frame = await answer.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
        return frame.BodyCase switch
        {
            Frame.BodyOneofCase.Reply => Parse(method, frame.Reply.Response),
            Frame.BodyOneofCase.Fault => throw ToRpc(frame.Fault),
            _ => throw new AgentProtocolException($"the agent on {_host} answered {method.Name} with {frame.BodyCase}"),
        };
    }

    private TResponse Parse<TRequest, TResponse>(AgentMethod<TRequest, TResponse> method, ByteString bytes)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        try
        {
            return method.Responses.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new AgentProtocolException($"the agent on {_host} answered {method.Name} with bytes that do not parse: {e.Message}", e);
        }
    }

    private RpcException ToRpc(Fault fault)
    {
        var trailers = new Metadata();
        if (!fault.StatusDetails.IsEmpty) trailers.Add(GrpcTrailers.StatusDetails, fault.StatusDetails.ToByteArray());
        return new RpcException(new Status((StatusCode)fault.Code, $"on {_host}: {fault.Message}"), trailers);
    }

    /// <summary>Asks the agent to stop in-flight work at its next step (the engine's Cancel). Best effort.</summary>
    public async Task CancelAsync()
    {
        try
        {
            await _frames.WriteAsync(new Frame { Cancel = new Cancel() }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadLoopAsync()
    {
        string? reason = null;
        try
        {
            while (await _frames.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } frame)
            {
                switch (frame.BodyCase)
                {
                    case Frame.BodyOneofCase.Reply or Frame.BodyOneofCase.Fault:
                        if (_pending.TryRemove(frame.Id, out var waiting)) waiting.Answer.TrySetResult(frame);
                        break;
                    case Frame.BodyOneofCase.Log:
                        await _onLog(frame.Log).ConfigureAwait(false);
                        break;
                    case Frame.BodyOneofCase.Probe:
                        // The agent checks that a change left this session working: answer at once.
                        _ = AnswerProbeAsync(frame.Id);
                        break;
                    default:
                        throw new AgentProtocolException($"the agent on {_host} sent an unexpected {frame.BodyCase} frame");
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            reason = e.Message;
        }
        await EndAsync(reason).ConfigureAwait(false);
    }

    private async Task AnswerProbeAsync(ulong id)
    {
        try
        {
            await _frames.WriteAsync(new Frame { Id = id, ProbeReply = new ProbeReply() }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The session is gone: the agent rolls back on its own.
        }
    }

    /// <summary>Marks the session ended and fails every call still waiting, with what ssh said about it.</summary>
    private async Task EndAsync(string? reason)
    {
        if (_ended is not null) return;
        string why;
        if (await ExitsSoonAsync(_ssh).ConfigureAwait(false))
        {
            var exit = await _ssh.Exited.ConfigureAwait(false);
            why = exit == 0 && reason is null ? $"the agent on {_host} ended its session" : SshFailure.Describe(_host, exit, _ssh.StderrTail);
        }
        else why = reason ?? $"the agent on {_host} closed its output";
        _ended = $"the connection to {_host} was lost: {why}";
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var waiting))
                waiting.Answer.TrySetException(new AgentConnectionLostException(
                    $"the connection to {_host} was lost while {waiting.Method} was running there, so whether it changed the host is unknown: {why}", mayHaveRun: true));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ended ??= $"the session with {_host} was closed";
        // Closing its input tells the agent to finish what it runs and exit; ssh then ends by itself.
        _ssh.CloseInput();
        await _ssh.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var waiting))
                waiting.Answer.TrySetException(new AgentConnectionLostException($"the session with {_host} was closed while {waiting.Method} was running there", mayHaveRun: true));
        await _frames.DisposeAsync().ConfigureAwait(false);
        await _ssh.DisposeAsync().ConfigureAwait(false);
    }
}
