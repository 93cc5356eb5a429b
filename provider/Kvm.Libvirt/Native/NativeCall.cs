using System.Runtime.InteropServices;

namespace Kvm.Libvirt;

/// <summary>
/// Runs one libvirt call and turns its failure into a <see cref="LibvirtException"/>. The handle is
/// held for the whole call plus the error read: if another thread disposed it meanwhile, the final
/// release (virConnectClose / virNetworkFree) would otherwise run on this thread and wipe the error first.
/// </summary>
internal static class NativeCall
{
    public static int Check<THandle>(THandle handle, string operation, Func<THandle, int> call)
        where THandle : SafeHandle
    {
        using var lease = new CallLease(handle);
        var result = call(handle);
        if (result < 0) throw LibvirtError.TakeLast(operation);
        return result;
    }

    public static int Check<THandle, TState>(THandle handle, TState state, string operation, Func<THandle, TState, int> call)
        where THandle : SafeHandle
    {
        using var lease = new CallLease(handle);
        var result = call(handle, state);
        if (result < 0) throw LibvirtError.TakeLast(operation);
        return result;
    }

    /// <summary>For calls whose failure is not signalled by a negative int.</summary>
    public static TResult Check<THandle, TResult>(THandle handle, string operation, Func<THandle, TResult> call, Func<TResult, bool> failed)
        where THandle : SafeHandle
    {
        using var lease = new CallLease(handle);
        var result = call(handle);
        if (failed(result)) throw LibvirtError.TakeLast(operation);
        return result;
    }

    public static bool CheckBool<THandle>(THandle handle, string operation, Func<THandle, int> call)
        where THandle : SafeHandle => Check(handle, operation, call) != 0;

    /// <summary>For calls returning a string the caller must free(3).</summary>
    public static string OwnedString<THandle, TState>(THandle handle, TState state, string operation, Func<THandle, TState, nint> call)
        where THandle : SafeHandle
    {
        using var lease = new CallLease(handle);
        var text = call(handle, state);
        if (text == 0) throw LibvirtError.TakeLast(operation);
        try
        {
            return Marshal.PtrToStringUTF8(text) ?? "";
        }
        finally
        {
            unsafe { NativeMemory.Free((void*)text); }
        }
    }

    /// <summary>For calls returning a string owned by the object (const char*).</summary>
    public static string BorrowedString<THandle>(THandle handle, string operation, Func<THandle, nint> call)
        where THandle : SafeHandle
    {
        using var lease = new CallLease(handle);
        var text = call(handle);
        if (text == 0) throw LibvirtError.TakeLast(operation);
        return Marshal.PtrToStringUTF8(text) ?? "";
    }

    /// <summary>For calls returning a new owned object handle (lookups, defines).</summary>
    public static TResult Handle<THandle, TState, TResult>(THandle handle, TState state, string operation, Func<THandle, TState, TResult> call)
        where THandle : SafeHandle
        where TResult : SafeHandle
    {
        using var lease = new CallLease(handle);
        var result = call(handle, state);
        if (result.IsInvalid)
        {
            var error = LibvirtError.TakeLast(operation);
            result.Dispose();
            throw error;
        }
        return result;
    }

    public static unsafe Guid Uuid<THandle>(THandle handle, string operation, delegate*<THandle, byte*, int> call)
        where THandle : SafeHandle
    {
        const int VirUuidStringBufLen = 37;
        byte* buffer = stackalloc byte[VirUuidStringBufLen];
        using var lease = new CallLease(handle);
        if (call(handle, buffer) < 0) throw LibvirtError.TakeLast(operation);
        return Guid.Parse(new ReadOnlySpan<byte>(buffer, VirUuidStringBufLen - 1));
    }

    /// <summary>
    /// For virConnectListAll*: takes ownership of every returned pointer before anything else can fail,
    /// frees the array, then wraps the objects (disposing the rest if wrapping one fails).
    /// </summary>
    public static unsafe IReadOnlyList<TItem> ListAll<TItemHandle, TItem>(
        ConnectionHandle connection,
        uint flags,
        string operation,
        delegate*<ConnectionHandle, nint**, uint, int> list,
        Func<nint, TItemHandle> own,
        Func<TItemHandle, TItem> wrap)
        where TItemHandle : SafeHandle
    {
        nint* items = null;
        int count;
        using (new CallLease(connection))
        {
            count = list(connection, &items, flags);
            if (count < 0) throw LibvirtError.TakeLast(operation);
        }

        var handles = new TItemHandle[count];
        try
        {
            for (var i = 0; i < count; i++) handles[i] = own(items[i]);
        }
        finally
        {
            NativeMemory.Free(items);
        }

        var result = new TItem[count];
        for (var i = 0; i < count; i++)
        {
            try
            {
                result[i] = wrap(handles[i]);
            }
            catch
            {
                for (var j = i + 1; j < count; j++) handles[j].Dispose();
                foreach (var done in result.Take(i)) (done as IDisposable)?.Dispose();
                throw;
            }
        }
        return result;
    }

    private readonly ref struct CallLease
    {
        private readonly SafeHandle _handle;

        public CallLease(SafeHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
        }

        public void Dispose() => _handle.DangerousRelease();
    }
}
