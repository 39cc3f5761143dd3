// The peer of the benchmark: @neo4j/graphql on Apollo Server, over the store ogp-graph reads.
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, PEER_PORT, PEER_TYPEDEFS.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";
import core from "neo4j-driver-core";

// The library prefixes every statement with `CYPHER 5`, which ArcadeDB does not parse:
// drop the prefix (the statement is the same Neo4j 5 Cypher either way).
for (const cls of [core.Transaction, core.Session]) {
  const run = cls.prototype.run;
  cls.prototype.run = function (query, ...rest) {
    const text = typeof query === "string" ? query.replace(/^CYPHER 5\s+/, "") : query;
    return run.call(this, text, ...rest);
  };
}

const env = process.env;
const driver = neo4j.driver(env.NEO4J_URI, neo4j.auth.basic(env.NEO4J_USER, env.NEO4J_PASSWORD));
const typeDefs = readFileSync(env.PEER_TYPEDEFS, "utf8");
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(env.PEER_PORT), host: "127.0.0.1" },
  context: async () => ({ sessionConfig: { database: env.NEO4J_DATABASE } }),
});
console.log(`ready ${url}`);
