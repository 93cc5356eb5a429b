namespace Kvm.Libvirt;

internal sealed class LibvirtDomain : BoundObject<DomainHandle>, ILibvirtDomain
{
    private LibvirtDomain(ConnectionSession session, SessionConnection connection, DomainHandle handle, string name, Guid uuid)
        : base(session, connection, handle, name, uuid)
    {
    }

    /// <summary>Takes ownership of <paramref name="handle"/>.</summary>
    public static unsafe LibvirtDomain Wrap(ConnectionSession session, SessionConnection connection, DomainHandle handle)
    {
        try
        {
            var name = NativeCall.BorrowedString(handle, "virDomainGetName", static h => Interop.virDomainGetName(h));
            var uuid = NativeCall.Uuid(handle, "virDomainGetUUIDString", &Interop.virDomainGetUUIDString);
            return new LibvirtDomain(session, connection, handle, name, uuid);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public static DomainHandle LookupByUuid(ConnectionHandle connection, Guid uuid) =>
        NativeCall.Handle(connection, uuid.ToString("D"), "virDomainLookupByUUIDString",
            static (c, id) => Interop.virDomainLookupByUUIDString(c, id));

    protected override DomainHandle Resolve(ConnectionHandle connection, Guid uuid) => LookupByUuid(connection, uuid);

    public int? GetId() => Read(static h =>
    {
        // (unsigned)-1 is both "not running" and "failed"; only a recorded error tells them apart.
        var id = NativeCall.Check(h, "virDomainGetID", static h => Interop.virDomainGetID(h),
            static id => id == uint.MaxValue && LibvirtError.HasLast);
        return id == uint.MaxValue ? (int?)null : (int)id;
    });

    public DomainStateInfo GetState() => Read(static h =>
    {
        int state = 0, reason = 0;
        NativeCall.Check(h, "virDomainGetState", h => Interop.virDomainGetState(h, out state, out reason, 0));
        return new DomainStateInfo((DomainState)state, reason);
    });

    public DomainInfo GetInfo() => Read(static h =>
    {
        Interop.VirDomainInfo info = default;
        NativeCall.Check(h, "virDomainGetInfo", h => Interop.virDomainGetInfo(h, out info));
        return new DomainInfo((DomainState)info.State, info.MaxMem, info.Memory, info.NrVirtCpu, info.CpuTime);
    });

    public bool IsActive() =>
        Read(static h => NativeCall.CheckBool(h, "virDomainIsActive", static h => Interop.virDomainIsActive(h)));

    public bool IsPersistent() =>
        Read(static h => NativeCall.CheckBool(h, "virDomainIsPersistent", static h => Interop.virDomainIsPersistent(h)));

    public string GetXmlDesc(DomainXmlFlags flags = DomainXmlFlags.None) =>
        Read(h => NativeCall.OwnedString(h, flags, "virDomainGetXMLDesc", static (h, f) => Interop.virDomainGetXMLDesc(h, (uint)f)));

    public bool GetAutostart() => Read(static h =>
    {
        var autostart = 0;
        NativeCall.Check(h, "virDomainGetAutostart", h => Interop.virDomainGetAutostart(h, out autostart));
        return autostart != 0;
    });

    public void SetAutostart(bool autostart) =>
        Write(h => NativeCall.Check(h, autostart ? 1 : 0, "virDomainSetAutostart", static (h, on) => Interop.virDomainSetAutostart(h, on)));

    public void Start() =>
        Write(static h => NativeCall.Check(h, "virDomainCreate", static h => Interop.virDomainCreate(h)));

    public void Shutdown(DomainShutdownFlags flags = DomainShutdownFlags.Default) =>
        Write(h => NativeCall.Check(h, flags, "virDomainShutdownFlags", static (h, f) => Interop.virDomainShutdownFlags(h, (uint)f)));

    public void Destroy() =>
        Write(static h => NativeCall.Check(h, "virDomainDestroy", static h => Interop.virDomainDestroy(h)));

    public void Undefine(DomainUndefineFlags flags = DomainUndefineFlags.None)
    {
        try
        {
            Write(h => NativeCall.Check(h, flags, "virDomainUndefineFlags", static (h, f) => Interop.virDomainUndefineFlags(h, (uint)f)));
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCode.InvalidArg or LibvirtErrorCode.NoSupport
                                         && flags.HasFlag(DomainUndefineFlags.Nvram))
        {
            // Rejected flags mean nothing was done, so asking again is safe; a driver that does not know
            // the NVRAM flag has no NVRAM to remove.
            Undefine(flags & ~DomainUndefineFlags.Nvram);
        }
    }

    public void AttachDevice(string xml, DeviceModifyFlags flags)
    {
        ArgumentNullException.ThrowIfNull(xml);
        Write(h => NativeCall.Check(h, (xml, flags), "virDomainAttachDeviceFlags",
            static (h, r) => Interop.virDomainAttachDeviceFlags(h, r.xml, (uint)r.flags)));
    }

    public void DetachDevice(string xml, DeviceModifyFlags flags)
    {
        ArgumentNullException.ThrowIfNull(xml);
        Write(h => NativeCall.Check(h, (xml, flags), "virDomainDetachDeviceFlags",
            static (h, r) => Interop.virDomainDetachDeviceFlags(h, r.xml, (uint)r.flags)));
    }

    public void UpdateDevice(string xml, DeviceModifyFlags flags)
    {
        ArgumentNullException.ThrowIfNull(xml);
        Write(h => NativeCall.Check(h, (xml, flags), "virDomainUpdateDeviceFlags",
            static (h, r) => Interop.virDomainUpdateDeviceFlags(h, r.xml, (uint)r.flags)));
    }

    public void SetMemory(ulong memoryKiB, MemoryModifyFlags flags) =>
        Write(h => NativeCall.Check(h, (memoryKiB, flags), "virDomainSetMemoryFlags",
            static (h, r) => Interop.virDomainSetMemoryFlags(h, r.memoryKiB, (uint)r.flags)));

    public void SetVcpus(int count, VcpuModifyFlags flags)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Write(h => NativeCall.Check(h, ((uint)count, flags), "virDomainSetVcpusFlags",
            static (h, r) => Interop.virDomainSetVcpusFlags(h, r.Item1, (uint)r.flags)));
    }
}
