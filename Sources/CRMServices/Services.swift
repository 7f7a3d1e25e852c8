import CRMStorage
import Logging

/// Every service, built once over one database and shared by the HTTP layer and the command line.
public struct Services: Sendable {
    public let database: any Database
    public let metadata: MetadataService
    public let records: RecordService
    public let auth: AuthService
    public let workspaces: WorkspaceService
    public let search: SearchService
    public let history: HistoryService
    public let jobs: JobRunner
    public let conversion: LeadConversionService
    public let merges: MergeService
    public let pipelines: PipelineService
    public let relations: RelationService
    public let timeline: TimelineService
    public let counters: CounterService
    public let duplicates: DuplicateService
    public let follows: FollowService
    public let funnel: FunnelService
    public let access: AccessService
    public let views: SavedViewService

    public init(database: any Database, logger: Logger) {
        self.database = database
        let metadata = MetadataService(database: database)
        self.metadata = metadata
        self.records = RecordService(database: database, metadata: metadata)
        self.auth = AuthService(database: database)
        self.workspaces = WorkspaceService(database: database)
        self.search = SearchService(database: database, metadata: metadata)
        self.history = HistoryService(database: database, metadata: metadata)
        self.jobs = JobRunner(database: database, metadata: metadata, logger: logger)
        self.conversion = LeadConversionService(records: records)
        self.merges = MergeService(records: records)
        let pipelines = PipelineService(database: database, metadata: metadata)
        self.pipelines = pipelines
        self.relations = RelationService(records: records)
        self.timeline = TimelineService(records: records)
        self.counters = CounterService(database: database)
        self.duplicates = DuplicateService(records: records)
        self.follows = FollowService(records: records)
        self.funnel = FunnelService(records: records, pipelines: pipelines)
        self.access = AccessService(database: database, records: records, auth: auth)
        self.views = SavedViewService(database: database, records: records)
    }

    /// Opens and migrates the database, and makes sure the default workspace exists.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> Services {
        let database = try await DatabaseFactory.open(location, logger: logger)
        let services = Services(database: database, logger: logger)
        try await services.workspaces.ensureDefault()
        return services
    }
}
