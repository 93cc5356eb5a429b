using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Kvm.Provider.Tests.Layout;

/// <summary>
/// Which namespace of an assembly uses which, read from the compiled assembly itself: signatures,
/// base types, interfaces, attributes and every token in method bodies. Reading IL rather than
/// source sees what the compiler bound (no guessing from names), including lambdas and state machines,
/// which count for the namespace of the type that declares them.
/// </summary>
public sealed class NamespaceDependencies
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly MetadataReader _md;
    private readonly PEReader _pe;
    private readonly TypeCollector _collector;

    /// <summary>Edges: namespace → namespace it uses → one example "User uses Used" for messages.</summary>
    public Dictionary<string, Dictionary<string, string>> Uses { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the assembly at <paramref name="assemblyPath"/>, keeping the namespaces <paramref name="inScope"/> accepts.</summary>
    public static NamespaceDependencies Of(string assemblyPath, Func<string, bool> inScope)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        return new NamespaceDependencies(pe, inScope);
    }

    private NamespaceDependencies(PEReader pe, Func<string, bool> inScope)
    {
        _pe = pe;
        _md = pe.GetMetadataReader();
        _collector = new TypeCollector(_md);
        foreach (var handle in _md.TypeDefinitions)
        {
            var user = NamespaceOf(handle);
            if (!inScope(user)) continue;
            foreach (var used in TypesUsedBy(handle).Distinct())
            {
                var usedNs = NamespaceOf(used);
                if (usedNs == user || !inScope(usedNs)) continue;
                var edges = Uses.TryGetValue(user, out var e) ? e : Uses[user] = new(StringComparer.Ordinal);
                edges.TryAdd(usedNs, $"{NameOf(handle)} uses {NameOf(used)}");
            }
        }
    }

    /// <summary>The groups of namespaces that use each other in a loop (Tarjan's strongly connected components of more than one).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Uses.TryGetValue(v, out var e) ? e.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string popped;
            do { popped = stack.Pop(); onStack.Remove(popped); component.Add(popped); } while (popped != v);
            if (component.Count > 1) cycles.Add([.. component.Order(StringComparer.Ordinal)]);
        }

        foreach (var ns in Uses.Keys.Order(StringComparer.Ordinal).ToList())
            if (!index.ContainsKey(ns)) Visit(ns);
        return cycles;
    }

    private IEnumerable<TypeDefinitionHandle> TypesUsedBy(TypeDefinitionHandle handle)
    {
        var type = _md.GetTypeDefinition(handle);
        if (!type.BaseType.IsNil) foreach (var t in FromToken(type.BaseType)) yield return t;
        foreach (var i in type.GetInterfaceImplementations())
            foreach (var t in FromToken(_md.GetInterfaceImplementation(i).Interface)) yield return t;
        foreach (var t in FromAttributes(type.GetCustomAttributes())) yield return t;
        foreach (var f in type.GetFields())
        {
            var field = _md.GetFieldDefinition(f);
            foreach (var t in field.DecodeSignature(_collector, null)) yield return t;
            foreach (var t in FromAttributes(field.GetCustomAttributes())) yield return t;
        }
        foreach (var p in type.GetProperties())
            foreach (var t in FromAttributes(_md.GetPropertyDefinition(p).GetCustomAttributes())) yield return t;
        foreach (var m in type.GetMethods())
        {
            var method = _md.GetMethodDefinition(m);
            var signature = method.DecodeSignature(_collector, null);
            foreach (var t in signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(p => p))) yield return t;
            foreach (var t in FromAttributes(method.GetCustomAttributes())) yield return t;
            foreach (var g in method.GetGenericParameters())
                foreach (var c in _md.GetGenericParameter(g).GetConstraints())
                    foreach (var t in FromToken(_md.GetGenericParameterConstraint(c).Type)) yield return t;
            if (method.RelativeVirtualAddress != 0)
                foreach (var t in FromBody(_pe.GetMethodBody(method.RelativeVirtualAddress))) yield return t;
        }
    }

    private IEnumerable<TypeDefinitionHandle> FromAttributes(CustomAttributeHandleCollection attributes) =>
        attributes.SelectMany(a => FromToken(_md.GetCustomAttribute(a).Constructor));

    private IEnumerable<TypeDefinitionHandle> FromBody(MethodBodyBlock body)
    {
        if (!body.LocalSignature.IsNil)
            foreach (var t in _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_collector, null).SelectMany(l => l))
                yield return t;
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il.ReadByte()));
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    foreach (var t in FromToken(MetadataTokens.EntityHandle(il.ReadInt32()))) yield return t;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
    }

    /// <summary>The types of this assembly a token names: a type, a type's instantiation, or the type owning a field or method.</summary>
    private ImmutableArray<TypeDefinitionHandle> FromToken(EntityHandle token) => token.Kind switch
    {
        HandleKind.TypeDefinition => [(TypeDefinitionHandle)token],
        HandleKind.TypeSpecification => _md.GetTypeSpecification((TypeSpecificationHandle)token).DecodeSignature(_collector, null),
        HandleKind.FieldDefinition => [_md.GetFieldDefinition((FieldDefinitionHandle)token).GetDeclaringType()],
        HandleKind.MethodDefinition => [_md.GetMethodDefinition((MethodDefinitionHandle)token).GetDeclaringType()],
        HandleKind.MemberReference => FromToken(_md.GetMemberReference((MemberReferenceHandle)token).Parent),
        HandleKind.MethodSpecification => FromMethodSpecification(_md.GetMethodSpecification((MethodSpecificationHandle)token)),
        _ => [],
    };

    private ImmutableArray<TypeDefinitionHandle> FromMethodSpecification(MethodSpecification spec) =>
        [.. FromToken(spec.Method), .. spec.DecodeSignature(_collector, null).SelectMany(t => t)];

    private string NamespaceOf(TypeDefinitionHandle handle)
    {
        var type = _md.GetTypeDefinition(handle);
        return type.GetDeclaringType() is { IsNil: false } outer ? NamespaceOf(outer) : _md.GetString(type.Namespace);
    }

    private string NameOf(TypeDefinitionHandle handle)
    {
        var type = _md.GetTypeDefinition(handle);
        var name = _md.GetString(type.Name);
        return type.GetDeclaringType() is { IsNil: false } outer ? $"{NameOf(outer)}.{name}" : $"{_md.GetString(type.Namespace)}.{name}";
    }

    /// <summary>Decodes signatures into the types of this assembly they mention (others are of no interest here).</summary>
    private sealed class TypeCollector(MetadataReader md) : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            md.GetTypeSpecification(handle).DecodeSignature(this, context);
        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];
        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];
        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];
        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];
        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;
    }
}
