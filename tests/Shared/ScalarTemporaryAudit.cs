using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace CellSegFlows.Testing;

/// <summary>
/// Reads compiled IL to find every place where a TorchSharp <c>Scalar</c> is created as an unheld temporary:
/// an implicit conversion (<c>t.add_(1)</c>, <c>t * 0.5</c>) at a call site of ours, or a call into a TorchSharp
/// member that makes one inside (for example <c>Tensor.add(Tensor)</c>, which passes an implicit alpha of 1).
/// Such a temporary is unreachable while libtorch still reads it, so a GC on another thread can run its
/// finalizer mid-call (README, "the TorchSharp finalizer race"). TorchSharp's own methods are analysed
/// transitively through its internal calls, overload by overload (signatures are compared, not names).
/// Virtual dispatch (a module's <c>forward</c>, an optimiser's <c>step</c>) is not followed; those are
/// checked by type in the tests.
/// </summary>
internal sealed class ScalarTemporaryAudit
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(op => op.Value, op => op.OperandType);

    private readonly HashSet<string> hazardousTorchMembers;

    public ScalarTemporaryAudit(string torchSharpAssembly)
    {
        hazardousTorchMembers = FindHazardousMembers(torchSharpAssembly);
    }

    /// <summary>Members of TorchSharp (type::name(signature)) that create an unheld scalar, directly or through their callees.</summary>
    public IReadOnlySet<string> HazardousTorchMembers => hazardousTorchMembers;

    /// <summary>
    /// Every call site in <paramref name="assembly"/> that creates an unheld scalar, with its source line when a PDB is
    /// beside it. Explicit <c>ToScalar()</c> calls are findings too, except inside <paramref name="scalarFactory"/>
    /// (the one type allowed to make scalars, whose callers hold them).
    /// </summary>
    public IReadOnlyList<Finding> Scan(string assembly, string scalarFactory)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        using var pdb = OpenPdb(assembly);
        var names = new SignatureNames(metadata);
        var findings = new List<Finding>();
        foreach (var handle in metadata.MethodDefinitions)
        {
            var method = metadata.GetMethodDefinition(handle);
            var caller = names.TypeName(method.GetDeclaringType()) + "::" + metadata.GetString(method.Name);
            foreach (var (token, offset) in Calls(pe, method))
            {
                var callee = names.MemberKey(token);
                if (callee is null)
                {
                    continue;
                }
                string? reason = IsScalarCreation(callee) ? "implicit scalar conversion"
                    : hazardousTorchMembers.Contains(callee) ? "calls " + callee + ", which creates an unheld scalar"
                    : IsFactoryCall(callee) && !caller.StartsWith(scalarFactory + "::", StringComparison.Ordinal) ? "creates a scalar with ToScalar() (use " + scalarFactory + ")"
                    : null;
                if (reason is not null)
                {
                    findings.Add(new Finding(caller, SourceLine(pdb?.GetMetadataReader(), handle, offset), callee, reason));
                }
            }
        }
        return findings;
    }

    /// <summary>One call site.</summary>
    public sealed record Finding(string Method, string Source, string Callee, string Reason)
    {
        public override string ToString() => $"{Source} {Method}: {Reason}";
    }

    private static bool IsScalarCreation(string member) =>
        member.StartsWith("TorchSharp.Scalar::op_Implicit(", StringComparison.Ordinal);

    private static bool IsFactoryCall(string member) =>
        member.StartsWith("TorchSharp.ScalarExtensionMethods::ToScalar(", StringComparison.Ordinal);

    private static bool IsUnheldCreationInsideTorchSharp(string member) => IsScalarCreation(member) || IsFactoryCall(member);

    private static HashSet<string> FindHazardousMembers(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = new SignatureNames(metadata);
        var keys = new Dictionary<MethodDefinitionHandle, string>();
        var callees = new Dictionary<MethodDefinitionHandle, List<MethodDefinitionHandle>>();
        var direct = new HashSet<MethodDefinitionHandle>();
        foreach (var handle in metadata.MethodDefinitions)
        {
            keys[handle] = names.MemberKey(MetadataTokens.GetToken(handle))!;
            var list = new List<MethodDefinitionHandle>();
            callees[handle] = list;
            foreach (var (token, _) in Calls(pe, metadata.GetMethodDefinition(handle)))
            {
                var entity = MetadataTokens.EntityHandle(token);
                if (entity.Kind == HandleKind.MethodSpecification)
                {
                    entity = metadata.GetMethodSpecification((MethodSpecificationHandle)entity).Method;
                }
                if (entity.Kind != HandleKind.MethodDefinition)
                {
                    continue;
                }
                var target = (MethodDefinitionHandle)entity;
                var key = names.MemberKey(MetadataTokens.GetToken(target))!;
                if (IsUnheldCreationInsideTorchSharp(key))
                {
                    direct.Add(handle);
                }
                else
                {
                    list.Add(target);
                }
            }
        }

        // Reverse reachability from the direct creators: every caller of a hazardous method is hazardous.
        var callers = new Dictionary<MethodDefinitionHandle, List<MethodDefinitionHandle>>();
        foreach (var (method, targets) in callees)
        {
            foreach (var target in targets)
            {
                if (!callers.TryGetValue(target, out var list))
                {
                    callers[target] = list = [];
                }
                list.Add(method);
            }
        }
        var hazardous = new HashSet<MethodDefinitionHandle>(direct);
        var pending = new Queue<MethodDefinitionHandle>(direct);
        while (pending.TryDequeue(out var method))
        {
            foreach (var caller in callers.GetValueOrDefault(method) ?? [])
            {
                if (hazardous.Add(caller))
                {
                    pending.Enqueue(caller);
                }
            }
        }
        return hazardous.Select(handle => keys[handle]).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<(int Token, int Offset)> Calls(PEReader pe, MethodDefinition method)
    {
        if (method.RelativeVirtualAddress == 0)
        {
            yield break;
        }
        var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!;
        var position = 0;
        while (position < il.Length)
        {
            var start = position;
            short code = il[position++];
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il[position++]);
            }
            var operand = OperandTypes[code];
            var size = operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
            if (operand == OperandType.InlineMethod)
            {
                yield return (BitConverter.ToInt32(il, position), start);
            }
            position += size;
        }
    }

    private static MetadataReaderProvider? OpenPdb(string assembly)
    {
        var path = Path.ChangeExtension(assembly, ".pdb");
        return File.Exists(path) ? MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(path)) : null;
    }

    private static string SourceLine(MetadataReader? pdb, MethodDefinitionHandle method, int offset)
    {
        if (pdb is null)
        {
            return "(no pdb)";
        }
        var debug = pdb.GetMethodDebugInformation(method);
        SequencePoint? best = null;
        foreach (var point in debug.GetSequencePoints())
        {
            if (point.IsHidden || point.Offset > offset)
            {
                continue;
            }
            best = point;
        }
        if (best is not { } found)
        {
            return "(no line)";
        }
        var document = pdb.GetDocument(found.Document);
        return $"{Path.GetFileName(pdb.GetString(document.Name))}:{found.StartLine}";
    }

    /// <summary>Names members as <c>Namespace.Type/Nested::name(param types)</c> the same way for definitions and references.</summary>
    private sealed class SignatureNames(MetadataReader metadata) : ISignatureTypeProvider<string, object?>
    {
        public string? MemberKey(int token)
        {
            var entity = MetadataTokens.EntityHandle(token);
            if (entity.Kind == HandleKind.MethodSpecification)
            {
                entity = metadata.GetMethodSpecification((MethodSpecificationHandle)entity).Method;
            }
            switch (entity.Kind)
            {
                case HandleKind.MethodDefinition:
                {
                    var method = metadata.GetMethodDefinition((MethodDefinitionHandle)entity);
                    var signature = method.DecodeSignature(this, null);
                    return Key(TypeName(method.GetDeclaringType()), metadata.GetString(method.Name), signature);
                }
                case HandleKind.MemberReference:
                {
                    var member = metadata.GetMemberReference((MemberReferenceHandle)entity);
                    if (member.GetKind() != MemberReferenceKind.Method)
                    {
                        return null;
                    }
                    var parent = member.Parent.Kind switch
                    {
                        HandleKind.TypeReference => TypeName((TypeReferenceHandle)member.Parent),
                        HandleKind.TypeDefinition => TypeName((TypeDefinitionHandle)member.Parent),
                        HandleKind.TypeSpecification => StripGenericArguments(metadata.GetTypeSpecification((TypeSpecificationHandle)member.Parent).DecodeSignature(this, null)),
                        _ => null,
                    };
                    return parent is null ? null : Key(parent, metadata.GetString(member.Name), member.DecodeMethodSignature(this, null));
                }
                default:
                    return null;
            }
        }

        private static string Key(string type, string name, MethodSignature<string> signature) =>
            $"{type}::{name}({string.Join(",", signature.ParameterTypes)})";

        private static string StripGenericArguments(string type)
        {
            var open = type.IndexOf('<', StringComparison.Ordinal);
            return open < 0 ? type : type[..open];
        }

        public string TypeName(TypeDefinitionHandle handle)
        {
            var type = metadata.GetTypeDefinition(handle);
            var outer = type.GetDeclaringType();
            return (outer.IsNil ? metadata.GetString(type.Namespace) + "." : TypeName(outer) + "/") + metadata.GetString(type.Name);
        }

        private string TypeName(TypeReferenceHandle handle)
        {
            var type = metadata.GetTypeReference(handle);
            var outer = type.ResolutionScope.Kind == HandleKind.TypeReference
                ? TypeName((TypeReferenceHandle)type.ResolutionScope) + "/"
                : metadata.GetString(type.Namespace) + ".";
            return outer + metadata.GetString(type.Name);
        }

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeName(handle);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => TypeName(handle);
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
