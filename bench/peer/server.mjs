// The peer for bench/load.sh: PostGraphile v5 (Amber preset) + postgraphile-plugin-connection-filter
// on the benchmark's database, relations filterable. Our tables have no foreign key from a task to
// its task definition, nor from a revision to its account (a task may run a revision not yet
// synced), so smart tags declare them: the same joins assetql's catalogue makes.
//
//   DATABASE_URL=postgres://… PORT=5678 node bench/peer/server.mjs
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { jsonPgSmartTags } from "postgraphile/utils";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const tags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      ecs_tasks: {
        tags: {
          foreignKey: "(tenant_id, task_definition_arn) references ecs_task_definitions (tenant_id, arn)",
        },
      },
      ecs_task_definitions: {
        tags: {
          foreignKey: "(tenant_id, cloud_account_id) references cloud_accounts (tenant_id, id)",
        },
      },
    },
  },
});

const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  plugins: [tags],
  // Every column filterable and orderable, as assetql's are (Amber allows only indexed ones).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 8) },
    }),
  ],
  schema: {
    connectionFilterRelations: true,
    connectionFilterAllowNullInput: false,
  },
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.once("listening", () => {
  server.on("error", (e) => console.error(e));
  console.error(`peer listening on ${process.env.PORT}`);
});
serv.addTo(server).catch((e) => {
  console.error(e);
  process.exit(1);
});
server.listen(Number(process.env.PORT ?? 5678), "127.0.0.1");
