using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace IronOrleans.AppHost;

/// <summary>What <see cref="LocalCloudReport"/> waits for and points at.</summary>
internal sealed record LocalCloudReportTargets(EndpointReference GatewayGrpc, EndpointReference SiloHttp, IReadOnlyList<string> Resources);

/// <summary>
/// Waits until every resource of the local cloud is healthy, then logs how long start-up took and where the Gateway's
/// gRPC endpoint, the Orleans dashboard and the Aspire dashboard are.
/// </summary>
internal sealed partial class LocalCloudReport(
    ResourceNotificationService notifications,
    LocalCloudReportTargets targets,
    IConfiguration configuration,
    DistributedApplicationExecutionContext executionContext,
    ILogger<LocalCloudReport> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!executionContext.IsRunMode)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        var startedAt = process.StartTime.ToUniversalTime();
        foreach (var resource in targets.Resources)
        {
            try
            {
                await notifications.WaitForResourceHealthyAsync(resource, stoppingToken);
                LogResourceHealthy(logger, resource, (DateTime.Now.ToUniversalTime() - startedAt).TotalSeconds);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (DistributedApplicationException e)
            {
                LogResourceFailed(logger, resource, e.Message);
                return;
            }
        }

        LogReady(logger, (DateTime.Now.ToUniversalTime() - startedAt).TotalSeconds);
        LogGateway(logger, targets.GatewayGrpc.Url);
        LogOrleansDashboard(logger, targets.SiloHttp.Url.TrimEnd('/') + "/dashboard");
        if (configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboardUrls)
        {
            LogAspireDashboard(logger, dashboardUrls.Split(';')[0]);
        }
    }
}
