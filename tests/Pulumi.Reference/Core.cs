// Compile-time reference of the real Pulumi .NET SDK (package "Pulumi" 3.x): public signatures
// only, no behaviour. See README.md. Never ship or run.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Pulumi
{
    public class Input<T>
    {
        private protected Input(Output<T> outputValue) => throw null!;

        public static implicit operator Input<T>(T value) => throw null!;
        public static implicit operator Input<T>(Output<T> value) => throw null!;
        public static implicit operator Output<T>(Input<T> input) => throw null!;
    }

    public sealed class InputList<T> : Input<ImmutableArray<T>>, IEnumerable, IAsyncEnumerable<Input<T>>
    {
        public InputList() : base(null!) => throw null!;

        public void Add(params Input<T>[] inputs) => throw null!;
        public void Add(InputList<T> inputs) => throw null!;
        public void AddRange(InputList<T> inputs) => throw null!;
        public InputList<T> Concat(InputList<T> other) => throw null!;

        public static implicit operator InputList<T>(T value) => throw null!;
        public static implicit operator InputList<T>(Output<T> value) => throw null!;
        public static implicit operator InputList<T>(Input<T> value) => throw null!;
        public static implicit operator InputList<T>(T[] values) => throw null!;
        public static implicit operator InputList<T>(Output<T>[] values) => throw null!;
        public static implicit operator InputList<T>(Input<T>[] values) => throw null!;
        public static implicit operator InputList<T>(List<T> values) => throw null!;
        public static implicit operator InputList<T>(List<Output<T>> values) => throw null!;
        public static implicit operator InputList<T>(List<Input<T>> values) => throw null!;
        public static implicit operator InputList<T>(ImmutableArray<T> values) => throw null!;
        public static implicit operator InputList<T>(ImmutableArray<Output<T>> values) => throw null!;
        public static implicit operator InputList<T>(ImmutableArray<Input<T>> values) => throw null!;
        public static implicit operator InputList<T>(Output<T[]> values) => throw null!;
        public static implicit operator InputList<T>(Output<List<T>> values) => throw null!;
        public static implicit operator InputList<T>(Output<IEnumerable<T>> values) => throw null!;
        public static implicit operator InputList<T>(Output<ImmutableArray<T>> values) => throw null!;

        IEnumerator IEnumerable.GetEnumerator() => throw null!;
        public IAsyncEnumerator<Input<T>> GetAsyncEnumerator(CancellationToken cancellationToken) => throw null!;
    }

    public sealed class InputMap<TValue> : Input<ImmutableDictionary<string, TValue>>, IEnumerable, IAsyncEnumerable<Input<KeyValuePair<string, TValue>>>
    {
        public InputMap() : base(null!) => throw null!;

        public void Add(string key, Input<TValue> value) => throw null!;
        public void Add(InputMap<TValue> values) => throw null!;
        public void AddRange(InputMap<TValue> values) => throw null!;
        public Input<TValue> this[string key] { set => throw null!; }
        public static InputMap<TValue> Merge(InputMap<TValue> first, InputMap<TValue> second) => throw null!;

        public static implicit operator InputMap<TValue>(Dictionary<string, TValue> values) => throw null!;
        public static implicit operator InputMap<TValue>(ImmutableDictionary<string, TValue> values) => throw null!;
        public static implicit operator InputMap<TValue>(Output<Dictionary<string, TValue>> values) => throw null!;
        public static implicit operator InputMap<TValue>(Output<IDictionary<string, TValue>> values) => throw null!;
        public static implicit operator InputMap<TValue>(Output<ImmutableDictionary<string, TValue>> values) => throw null!;

        IEnumerator IEnumerable.GetEnumerator() => throw null!;
        public IAsyncEnumerator<Input<KeyValuePair<string, TValue>>> GetAsyncEnumerator(CancellationToken cancellationToken) => throw null!;
    }

    public sealed class Output<T>
    {
        private Output() => throw null!;

        public static Output<T> Create(Task<T> value) => throw null!;

        public Output<ValueTuple> Apply(Func<T, Task> func) => throw null!;
        public Output<TResult> Apply<TResult>(Func<T, TResult> func) => throw null!;
        public Output<TResult> Apply<TResult>(Func<T, Task<TResult>> func) => throw null!;
        public Output<TResult> Apply<TResult>(Func<T, Input<TResult>?> func) => throw null!;
        public Output<TResult> Apply<TResult>(Func<T, Output<TResult>?> func) => throw null!;

        public override string ToString() => throw null!;
    }

    public static partial class Output
    {
        public static Output<T> Create<T>(T value) => throw null!;
        public static Output<T> Create<T>(Task<T> value) => throw null!;
        public static Output<T> CreateSecret<T>(T value) => throw null!;
        public static Output<T> CreateSecret<T>(Task<T> value) => throw null!;
        public static Output<T> CreateSecret<T>(Output<T> value) => throw null!;
        public static Output<T> Unsecret<T>(Output<T> output) => throw null!;
        public static Task<bool> IsSecretAsync<T>(Output<T> output) => throw null!;

        public static Output<ImmutableArray<T>> All<T>(params Input<T>[] inputs) => throw null!;
        public static Output<ImmutableArray<T>> All<T>(IEnumerable<Input<T>> inputs) => throw null!;
        public static Output<ImmutableArray<T>> All<T>(params Output<T>[] outputs) => throw null!;
        public static Output<ImmutableArray<T>> All<T>(IEnumerable<Output<T>> outputs) => throw null!;

        public static Output<string> Format(FormattableString formattableString) => throw null!;
        public static Output<string> JsonSerialize<T>(Output<T> value, JsonSerializerOptions? options = null) => throw null!;
        public static Output<T> JsonDeserialize<T>(Output<string> json, JsonSerializerOptions? options = null) => throw null!;

        public static Output<(T1, T2)> Tuple<T1, T2>(Input<T1> item1, Input<T2> item2) => throw null!;
        public static Output<(T1, T2)> Tuple<T1, T2>(Output<T1> item1, Output<T2> item2) => throw null!;
        public static Output<(T1, T2, T3)> Tuple<T1, T2, T3>(Input<T1> item1, Input<T2> item2, Input<T3> item3) => throw null!;
        public static Output<(T1, T2, T3)> Tuple<T1, T2, T3>(Output<T1> item1, Output<T2> item2, Output<T3> item3) => throw null!;
    }
}

namespace Pulumi.Utilities
{
    public static class OutputUtilities
    {
        public static Task<T> GetValueAsync<T>(Output<T> output) => throw null!;
        public static Task<bool> GetIsKnownAsync<T>(Output<T> output) => throw null!;
        public static Task<ImmutableHashSet<Resource>> GetDependenciesAsync<T>(Output<T> output) => throw null!;
        public static Output<T> CreateUnknown<T>(T value) => throw null!;
        public static Output<T> CreateUnknown<T>(Func<Task<T>> valueFactory) => throw null!;
        public static Output<T> WithDependency<T>(Output<T> output, Resource resource) => throw null!;
    }
}

namespace Pulumi.Serialization
{
    // The real assembly's Pulumi.Serialization namespace holds only internal types (serializer,
    // deserializer, constants); generated code imports it with `using Pulumi.Serialization;`.
    internal static class Constants
    {
    }
}
