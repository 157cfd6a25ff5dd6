using System.Reflection;
using Grpc.Core;
using IronOrleans.PacketCore.Grpc.Mapping;
using IronOrleans.PacketCore.Grpc.V1;
using Microsoft.Extensions.Logging;

namespace IronOrleans.PacketCore.Grpc.Services;

/// <summary>
/// Server side of <c>dpdkironcore.v1.DPDKironcore</c>. Validation failures are gRPC INVALID_ARGUMENT with
/// dpservice's texts and change nothing; control outcomes travel in the embedded <see cref="V1.Status"/>
/// (dpservice error numbers and names). RPCs outside PacketCore's scope are not overridden and therefore
/// answer UNIMPLEMENTED (after the <see cref="InitializationGate"/>).
/// </summary>
public sealed partial class DpdkIronCoreService(
    DpServiceInstance instance,
    ILogger<DpdkIronCoreService> logger) : DPDKironcore.DPDKironcoreBase
{
    /// <summary>The version reported by GetVersion (service_protocol and service_version).</summary>
    public static readonly string ServiceVersion =
        typeof(DpdkIronCoreService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(DpdkIronCoreService).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public override Task<CheckInitializedResponse> CheckInitialized(CheckInitializedRequest request, ServerCallContext context) =>
        Task.FromResult(new CheckInitializedResponse { Status = DpErrors.Success(), Uuid = instance.Uuid });

    public override Task<InitializeResponse> Initialize(InitializeRequest request, ServerCallContext context)
    {
        var first = instance.MarkInitialized();
        LogInitialized(logger, instance.Uuid, first);
        return Task.FromResult(new InitializeResponse { Status = DpErrors.Success(), Uuid = instance.Uuid });
    }

    public override Task<GetVersionResponse> GetVersion(GetVersionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireText(request.ClientProtocol, "Invalid client_protocol");
        RequireText(request.ClientName, "Invalid client_name");
        RequireText(request.ClientVersion, "Invalid client_version");
        LogVersionRequested(logger, request.ClientName, request.ClientVersion, request.ClientProtocol);
        return Task.FromResult(new GetVersionResponse
        {
            Status = DpErrors.Success(),
            ServiceProtocol = ServiceVersion,
            ServiceVersion = ServiceVersion,
        });
    }

    private static void RequireText(string value, string error)
    {
        if (string.IsNullOrEmpty(value) || value.Length > WireText.MaxIdLength)
        {
            throw InvalidArgument(error);
        }
    }

    private static RpcException InvalidArgument(string message) =>
        new(new global::Grpc.Core.Status(StatusCode.InvalidArgument, message));
}
