// Starts GraphiQL on this server's /graphql. With auth on, add
// {"Authorization": "Bearer <token>"} in the Headers tab (kept by GraphiQL in local storage).
(function () {
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultQuery: '# Every stored control, its latest verdict and counts\n{\n  controls {\n    id\n    latestRun { status failingCount applicableCount compliancePercent }\n  }\n}\n',
  }));
})();
