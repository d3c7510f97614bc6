//! Assembly of the node's services.
//!
//! Two ways of making blocks share one client, database (ParityDB) and transaction pool:
//! - a **development** chain spec (`--dev`) seals blocks itself: one block as soon as a
//!   transaction enters the pool (or one every `--dev-block-time` ms) and finalises it at once,
//!   so clients that wait for finality return in milliseconds;
//! - any other chain runs **Aura** authoring with **GRANDPA** finality among its validators.
use crate::{
	cli::DevSealing,
	custody::{self, CustodyOptions},
};
use ehr_runtime::{opaque::Block, RuntimeApi};
use futures::{FutureExt, StreamExt};
use polkadot_sdk::{
	sc_basic_authorship,
	sc_client_api::{Backend, BlockBackend},
	sc_consensus,
	sc_consensus_aura::{self, ImportQueueParams, SlotProportion, StartAuraParams},
	sc_consensus_grandpa::{self, SharedVoterState},
	sc_consensus_manual_seal::{self, consensus::aura::AuraConsensusDataProvider, EngineCommand},
	sc_executor::WasmExecutor,
	sc_network, sc_offchain,
	sc_service::{
		self, error::Error as ServiceError, ChainType, Configuration, TaskManager, WarpSyncConfig,
	},
	sc_telemetry::{self, Telemetry, TelemetryWorker},
	sc_transaction_pool,
	sc_transaction_pool_api::{OffchainTransactionPoolFactory, TransactionPool},
	sp_blockchain::HeaderBackend as _,
	sp_consensus_aura::{
		self,
		sr25519::{AuthorityPair as AuraPair, AuthoritySignature},
		Slot, SlotDuration,
	},
	sp_io,
	sp_runtime::traits::Block as BlockT,
	sp_timestamp,
};
use std::{sync::Arc, time::Duration};

type HostFunctions = sp_io::SubstrateHostFunctions;
pub(crate) type FullClient =
	sc_service::TFullClient<Block, RuntimeApi, WasmExecutor<HostFunctions>>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport =
	sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;

/// GRANDPA justifications are kept for at least one block in this many.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// The parts of a node that chain operations (import, export, revert...) need.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	sc_transaction_pool::TransactionPoolHandle<Block, FullClient>,
	(
		GrandpaBlockImport,
		sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>,
		Option<Telemetry>,
	),
>;

/// Whether this chain seals its own blocks instead of running Aura + GRANDPA.
fn is_dev_chain(config: &Configuration) -> bool {
	config.chain_spec.chain_type() == ChainType::Development
}

/// Build the client, database, transaction pool and import queue.
pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<HostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			Vec::new(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
		client.clone(),
		GRANDPA_JUSTIFICATION_PERIOD,
		&client,
		select_chain.clone(),
		telemetry.as_ref().map(|x| x.handle()),
	)?;

	let import_queue = if is_dev_chain(config) {
		sc_consensus_manual_seal::import_queue(
			Box::new(client.clone()),
			&task_manager.spawn_essential_handle(),
			config.prometheus_registry(),
		)
	} else {
		let cidp_client = client.clone();
		sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
			block_import: grandpa_block_import.clone(),
			justification_import: Some(Box::new(grandpa_block_import.clone())),
			client: client.clone(),
			create_inherent_data_providers: move |parent_hash, _| {
				let cidp_client = cidp_client.clone();
				async move {
					let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
						&*cidp_client,
						parent_hash,
					)?;
					let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
					let slot =
						sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
							*timestamp,
							slot_duration,
						);
					Ok((slot, timestamp))
				}
			},
			spawner: &task_manager.spawn_essential_handle(),
			registry: config.prometheus_registry(),
			check_for_equivocation: Default::default(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			compatibility_mode: Default::default(),
		})?
	};

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa_block_import, grandpa_link, telemetry),
	})
}

/// Opens the custody service if the keystore holds custodian keys (on a development chain,
/// `--dev`, `--alice`, ..., it first inserts the development keys `<seed>//custody`), and
/// starts its HTTP listener and its watcher of finalised blocks.
fn start_custody(
	config: &Configuration,
	keystore_container: &sc_service::KeystoreContainer,
	options: &CustodyOptions,
	client: Arc<FullClient>,
	task_manager: &TaskManager,
) -> Result<(), ServiceError> {
	let keystore = keystore_container.local_keystore();
	if let Some(seed) = &config.dev_key_seed {
		custody::keys::insert_dev_keys(&keystore, seed).map_err(ServiceError::Other)?;
	}
	let keys =
		custody::keys::load(&keystore, keystore_container.keystore(), options.custodian_account)
			.map_err(ServiceError::Other)?;
	let Some(keys) = keys else {
		log::info!(
			target: "custody",
			"no custodian keys (key types `cust` sr25519 and `cusx` ed25519): custody service off"
		);
		return Ok(());
	};
	log::info!(
		target: "custody",
		"custodian 0x{}, X25519 key 0x{}",
		hex::encode(keys.account),
		hex::encode(keys.x25519_public),
	);
	let genesis: [u8; 32] = client.info().genesis_hash.into();
	let chain = custody::chain::RuntimeChain::new(client.clone(), genesis);
	let custody = custody::open(&config.data_path, options, keys, chain)
		.map_err(|e| ServiceError::Other(format!("opening the piece store: {e}")))?;
	// Bound now, so that a taken address fails the start instead of a task later.
	let listener = std::net::TcpListener::bind(options.custody_listen)
		.and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
		.map_err(|e| {
			ServiceError::Other(format!("custody: listening on {}: {e}", options.custody_listen))
		})?;
	let bound = listener.local_addr().map_or_else(|_| options.custody_listen, |addr| addr);
	log::info!(target: "custody", "custody service on http://{bound}");
	let served = custody.clone();
	task_manager.spawn_essential_handle().spawn("custody-http", Some("custody"), async move {
		let served = tokio::net::TcpListener::from_std(listener)
			.map(|listener| ehr_custody_service::http::serve(listener, served));
		match served {
			Ok(serving) => {
				if let Err(e) = serving.await {
					log::error!(target: "custody", "custody service stopped: {e}");
				}
			},
			Err(e) => log::error!(target: "custody", "custody listener: {e}"),
		}
	});
	task_manager.spawn_handle().spawn(
		"custody-watcher",
		Some("custody"),
		custody::watcher::run(custody, client),
	);
	Ok(())
}

/// Build and start a full node.
pub fn new_full<N: sc_network::NetworkBackend<Block, <Block as BlockT>::Hash>>(
	config: Configuration,
	sealing: DevSealing,
	custody_options: &CustodyOptions,
	audit_options: &crate::audit::AuditOptions,
) -> Result<TaskManager, ServiceError> {
	let dev_chain = is_dev_chain(&config);
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (block_import, grandpa_link, mut telemetry),
	} = new_partial(&config)?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as BlockT>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	let peer_store_handle = net_config.peer_store_handle();
	let genesis_hash = client
		.block_hash(0)
		.ok()
		.flatten()
		.ok_or_else(|| ServiceError::Other("the database has no genesis block".into()))?;
	let grandpa_protocol_name =
		sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (grandpa_protocol_config, grandpa_notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			grandpa_protocol_name.clone(),
			metrics.clone(),
			peer_store_handle,
		);
	net_config.add_notification_protocol(grandpa_protocol_config);

	let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
		backend.clone(),
		grandpa_link.shared_authority_set().clone(),
		Vec::default(),
	));

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	if config.offchain_worker.enabled {
		let offchain_workers =
			sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
				runtime_api_provider: client.clone(),
				is_validator: config.role.is_authority(),
				keystore: Some(keystore_container.keystore()),
				offchain_db: backend.offchain_storage(),
				transaction_pool: Some(OffchainTransactionPoolFactory::new(
					transaction_pool.clone(),
				)),
				network_provider: Arc::new(network.clone()),
				enable_http_requests: true,
				custom_extensions: |_| vec![],
			})?;
		task_manager.spawn_handle().spawn(
			"offchain-workers-runner",
			"offchain-worker",
			offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
		);
	}

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa && !dev_chain;
	let prometheus_registry = config.prometheus_registry().cloned();

	start_custody(&config, &keystore_container, custody_options, client.clone(), &task_manager)?;

	let audit_index = crate::audit::open(&config.data_path, audit_options)
		.map_err(|e| ServiceError::Other(e.to_string()))?;
	task_manager.spawn_handle().spawn(
		"audit-index",
		Some("audit"),
		crate::audit::follow(audit_index.clone(), client.clone()),
	);

	let rpc_extensions_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		Box::new(move |_| {
			let deps = crate::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				audit: audit_index.clone(),
			};
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	// The RPC server's ports, as sc-service binds them (127.0.0.1 and ::1 when none is given).
	let rpc_ports: Vec<u16> = match &config.rpc.addr {
		Some(endpoints) => endpoints.iter().map(|endpoint| endpoint.listen_addr.port()).collect(),
		None => vec![config.rpc.port],
	};
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_extensions_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;
	let sockets = crate::nodelay::disable_nagle_on_ports(&rpc_ports);
	log::debug!("Nagle's algorithm off on {sockets} RPC sockets (ports {rpc_ports:?})");

	let proposer_factory = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		prometheus_registry.as_ref(),
		telemetry.as_ref().map(|x| x.handle()),
	);
	let slot_duration = sc_consensus_aura::slot_duration(&*client)?;

	if dev_chain {
		start_dev_sealing(
			&task_manager,
			client,
			transaction_pool,
			select_chain,
			proposer_factory,
			slot_duration,
			sealing,
		);
		return Ok(task_manager);
	}

	if role.is_authority() {
		let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
			StartAuraParams {
				slot_duration,
				client,
				select_chain,
				block_import,
				proposer_factory,
				create_inherent_data_providers: move |_, ()| async move {
					let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
					let slot =
						sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
							*timestamp,
							slot_duration,
						);
					Ok((slot, timestamp))
				},
				force_authoring,
				backoff_authoring_blocks: Option::<()>::None,
				keystore: keystore_container.keystore(),
				sync_oracle: sync_service.clone(),
				justification_sync_link: sync_service.clone(),
				block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
				max_block_proposal_slot_portion: None,
				telemetry: telemetry.as_ref().map(|x| x.handle()),
				compatibility_mode: Default::default(),
			},
		)?;
		// Authoring is essential: if it fails, the node stops.
		task_manager.spawn_essential_handle().spawn_blocking("aura", Some("block-authoring"), aura);
	}

	if enable_grandpa {
		let keystore = role.is_authority().then(|| keystore_container.keystore());
		let grandpa_config = sc_consensus_grandpa::Config {
			gossip_duration: Duration::from_millis(333),
			justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
			name: Some(name),
			observer_enabled: false,
			keystore,
			local_role: role,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			protocol_name: grandpa_protocol_name,
		};
		let grandpa_params = sc_consensus_grandpa::GrandpaParams {
			config: grandpa_config,
			link: grandpa_link,
			network,
			sync: Arc::new(sync_service),
			notification_service: grandpa_notification_service,
			voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
			prometheus_registry,
			shared_voter_state: SharedVoterState::empty(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
		};
		task_manager.spawn_essential_handle().spawn_blocking(
			"grandpa-voter",
			None,
			sc_consensus_grandpa::run_grandpa_voter(grandpa_params)?,
		);
	}

	Ok(task_manager)
}

/// Seal blocks on a development chain: on demand or on a timer, each finalised at once.
///
/// The runtime still runs Aura's checks, so each block carries an Aura pre-digest for a slot
/// later than its parent's, with a timestamp at the start of that slot.
fn start_dev_sealing(
	task_manager: &TaskManager,
	client: Arc<FullClient>,
	pool: Arc<sc_transaction_pool::TransactionPoolHandle<Block, FullClient>>,
	select_chain: FullSelectChain,
	proposer_factory: sc_basic_authorship::ProposerFactory<
		sc_transaction_pool::TransactionPoolHandle<Block, FullClient>,
		FullClient,
	>,
	slot_duration: SlotDuration,
	sealing: DevSealing,
) {
	let seal = |create_empty| EngineCommand::SealNewBlock {
		create_empty,
		finalize: true,
		parent_hash: None,
		sender: None,
	};
	let commands_stream: futures::stream::BoxStream<'static, EngineCommand<_>> = match sealing {
		DevSealing::Instant => {
			// One empty block at start-up gives the fork-aware pool its first view; after that, a
			// block whenever a transaction becomes ready.
			let on_transaction = pool.import_notification_stream().map(move |_| seal(false));
			futures::stream::once(async move { seal(true) }).chain(on_transaction).boxed()
		},
		DevSealing::Interval(millis) => futures::stream::unfold((), move |()| async move {
			futures_timer::Delay::new(Duration::from_millis(millis)).await;
			Some((seal(true), ()))
		})
		.boxed(),
	};

	let cidp_client = client.clone();
	let params = sc_consensus_manual_seal::ManualSealParams {
		block_import: client.clone(),
		env: proposer_factory,
		client: client.clone(),
		pool,
		commands_stream,
		select_chain,
		consensus_data_provider: Some(Box::new(AuraConsensusDataProvider::new_with_slot_duration(
			slot_duration,
		))),
		create_inherent_data_providers: move |parent_hash, ()| {
			let timestamp = next_dev_timestamp(&*cidp_client, parent_hash, slot_duration);
			async move { Ok(sp_timestamp::InherentDataProvider::new(timestamp?.into())) }
		},
	};
	task_manager.spawn_essential_handle().spawn_blocking(
		"manual-seal",
		Some("block-authoring"),
		sc_consensus_manual_seal::run_manual_seal(params),
	);
}

/// The timestamp of the next dev block: the start of the current slot, or of the slot after the
/// parent's if blocks come faster than one per slot.
fn next_dev_timestamp(
	client: &FullClient,
	parent_hash: <Block as BlockT>::Hash,
	slot_duration: SlotDuration,
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
	let parent = client
		.header(parent_hash)?
		.ok_or_else(|| format!("parent block {parent_hash} is not in the database"))?;
	// The genesis block has no pre-digest.
	let parent_slot = sc_consensus_aura::find_pre_digest::<Block, AuthoritySignature>(&parent)
		.map_or(0, u64::from);
	let now_slot = *Slot::from_timestamp(sp_timestamp::Timestamp::current(), slot_duration);
	Ok(now_slot.max(parent_slot + 1) * slot_duration.as_millis())
}
