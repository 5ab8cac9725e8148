import { FREE, HUKOU, ID_CARD, mat, type SeedMatter, t } from './seed-types.js';

/** Seeded matters: residence, jobs and insurance, health, family, disability (city-wide). */
export const CIVIC_MATTERS: SeedMatter[] = [
  {
    categoryId: 'household',
    name: t('居住证申领', 'Residence permit'),
    legalBasis: t(
      '《居住证暂行条例》（国务院令第663号）第二条、第九条、第十条。',
      'Interim Regulations on Residence Permits (State Council Decree No. 663), Articles 2, 9 and 10.',
    ),
    covers: t(
      '离开常住户口所在地，在本市居住半年以上，且有合法稳定就业、合法稳定住所或连续就读之一的公民，可申领居住证。',
      'Citizens who have lived in the city for over six months away from their hukou, with a stable job, a stable home or full-time study here.',
    ),
    materials: [
      ID_CARD(),
      mat('近期一寸免冠彩色照片', 'Recent 1-inch colour photo, bareheaded', 1, false),
      mat('居住证明', 'Proof of address', 1, true, [
        '房屋租赁合同或不动产权证书',
        'Tenancy agreement or property certificate',
      ]),
      mat('就业或就读证明', 'Proof of work or study', 1, true, [
        '劳动合同、营业执照或学校在读证明（三选一）',
        'Employment contract, business licence or school certificate (one of them)',
      ]),
    ],
    steps: [
      t('先办理居住登记（可在社区服务站办理）', 'Register your address first (at the community office)'),
      t('居住满半年后提交申领材料', 'After six months, hand in the application'),
      t('公安派出所审核制证', 'The police station reviews and makes the permit'),
      t('凭回执领取居住证', 'Collect the permit with your receipt'),
    ],
    timeLimit: t('自受理之日起15日内发放', 'Issued within 15 days of acceptance'),
    fee: t(
      '首次申领免费；换领、补领按规定收取工本费',
      'First permit free; replacements pay the production fee',
    ),
    bookable: true,
    order: 10,
  },
  {
    categoryId: 'employment',
    name: t('失业登记', 'Unemployment registration'),
    legalBasis: t(
      '《中华人民共和国就业促进法》第四十二条；《就业服务与就业管理规定》（劳动和社会保障部令第28号）第六章。',
      'Employment Promotion Law of the PRC, Article 42; Provisions on Employment Services and Management (Ministry of Labour and Social Security Decree No. 28), Chapter 6.',
    ),
    covers: t(
      '法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者，可进行失业登记，享受职业介绍、职业培训等公共就业服务。',
      'People of working age who can and want to work but have no job may register and use public job-matching and training services.',
    ),
    materials: [
      ID_CARD(),
      mat('社会保障卡', 'Social security card', 1, true),
      mat('解除或终止劳动合同证明', 'Proof that your employment contract ended', 1, true, [
        '首次就业的毕业生无需提供',
        'Not needed for graduates looking for a first job',
      ]),
    ],
    steps: [
      t('到社区服务站或通过网上平台提交登记', 'Register at the community office or online'),
      t('工作人员核验信息', 'Staff check your details'),
      t('领取就业失业登记证明', 'Receive your registration certificate'),
    ],
    timeLimit: t('即时办结', 'Done on the spot'),
    fee: FREE,
    bookable: true,
    order: 10,
  },
  {
    categoryId: 'employment',
    name: t('城乡居民基本养老保险参保登记', 'Basic pension insurance for urban and rural residents'),
    legalBasis: t(
      '《中华人民共和国社会保险法》第二十条至第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）。',
      'Social Insurance Law of the PRC, Articles 20–22; State Council opinion on a unified basic pension for urban and rural residents (Guo Fa [2014] No. 8).',
    ),
    covers: t(
      '年满16周岁（不含在校学生）、非国家机关和事业单位工作人员、不属于职工基本养老保险覆盖范围的本市户籍居民。',
      'Local residents aged 16 or over (not students) who are not covered by the employees’ pension scheme.',
    ),
    materials: [ID_CARD(), HUKOU(), mat('社会保障卡', 'Social security card', 1, true)],
    steps: [
      t('到社区服务站填写参保登记表', 'Fill in the registration form at the community office'),
      t('选择缴费档次并签订代扣协议', 'Choose a contribution level and sign the direct-debit agreement'),
      t('按年缴费', 'Pay once a year'),
    ],
    timeLimit: t('即时办结', 'Done on the spot'),
    fee: t('不收取手续费；保险费按所选档次缴纳', 'No handling fee; contributions as chosen'),
    bookable: false,
    order: 20,
  },
  {
    categoryId: 'health',
    name: t('城乡居民基本医疗保险参保登记', 'Basic medical insurance for urban and rural residents'),
    legalBasis: t(
      '《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）。',
      'Social Insurance Law of the PRC, Article 25; State Council opinion on integrating basic medical insurance for urban and rural residents (Guo Fa [2016] No. 3).',
    ),
    covers: t(
      '未参加职工基本医疗保险的本市户籍居民、持居住证的常住人口及在校学生、新生儿。',
      'Residents, permit holders, students and newborns not covered by employees’ medical insurance.',
    ),
    materials: [
      ID_CARD(),
      HUKOU(),
      mat('出生医学证明（新生儿）', 'Birth certificate (for a newborn)', 1, true),
    ],
    steps: [
      t(
        '在集中参保期内到社区服务站登记',
        'Register at the community office during the annual enrolment period',
      ),
      t('缴纳当年度个人缴费', 'Pay the year’s personal contribution'),
      t('次年1月1日起享受待遇（新生儿自出生之日起）', 'Cover starts on 1 January (newborns: from birth)'),
    ],
    timeLimit: t('即时办结', 'Done on the spot'),
    fee: t('个人缴费按本市当年标准', 'Personal contribution at the city’s rate for the year'),
    bookable: false,
    order: 10,
  },
  {
    categoryId: 'health',
    name: t('家庭医生签约服务', 'Sign up with a family doctor'),
    legalBasis: t(
      '《中华人民共和国基本医疗卫生与健康促进法》第三十一条；国务院医改办等《关于推进家庭医生签约服务的指导意见》（国医改办发〔2016〕1号）。',
      'Law on Basic Medical and Health Care, Article 31; guidance on family doctor contracts (Guo Yi Gai Ban Fa [2016] No. 1).',
    ),
    covers: t(
      '辖区居民均可签约，老年人、孕产妇、儿童、慢性病患者和残疾人优先，签约后享受健康管理、预约转诊、慢病长处方等服务。',
      'Open to all residents, with priority for older people, pregnant women, children, the chronically ill and people with disabilities: health checks, referrals and long prescriptions.',
    ),
    materials: [ID_CARD(), mat('医保卡或社会保障卡', 'Medical insurance or social security card', 1, true)],
    steps: [
      t(
        '到社区卫生服务中心或社区服务站选择家庭医生团队',
        'Choose a family doctor team at the health centre or community office',
      ),
      t('签订服务协议', 'Sign the service agreement'),
      t('建立或更新健康档案', 'Open or update your health record'),
    ],
    timeLimit: t('即时办结', 'Done on the spot'),
    fee: t('基础服务包免费', 'The basic package is free'),
    bookable: true,
    order: 20,
  },
  {
    categoryId: 'family',
    name: t('生育登记', 'Birth registration with the health commission'),
    legalBasis: t(
      '《中华人民共和国人口与计划生育法》；国家卫生健康委《关于做好生育登记服务工作的指导意见》；本省人口与计划生育条例。',
      'Population and Family Planning Law of the PRC; National Health Commission guidance on birth registration services; the provincial population and family planning regulations.',
    ),
    covers: t(
      '夫妻生育子女（含一孩、二孩、三孩）实行生育登记服务，登记后可享受孕产期保健等服务。',
      'Couples register each child (first, second or third) and then receive maternal health services.',
    ),
    materials: [
      mat('夫妻双方居民身份证', 'Identity cards of both spouses', 1, true),
      mat('结婚证', 'Marriage certificate', 1, true),
    ],
    steps: [
      t('到社区服务站或网上平台提交登记信息', 'Register at the community office or online'),
      t('工作人员核对信息', 'Staff check the details'),
      t('领取生育服务登记证明', 'Receive the registration certificate'),
    ],
    timeLimit: t('即时办结', 'Done on the spot'),
    fee: FREE,
    bookable: true,
    order: 10,
  },
  {
    categoryId: 'disability',
    name: t('残疾人证办理', 'Disability certificate'),
    legalBasis: t(
      '《中华人民共和国残疾人保障法》；中国残联《中华人民共和国残疾人证管理办法》。',
      'Law of the PRC on the Protection of Persons with Disabilities; China Disabled Persons’ Federation measures on the disability certificate.',
    ),
    covers: t(
      '视力、听力、言语、肢体、智力、精神残疾或多重残疾的本市户籍居民，经指定医疗机构评定后申领残疾人证。',
      'Local residents with a visual, hearing, speech, physical, intellectual, mental or multiple disability, assessed by a designated hospital.',
    ),
    materials: [
      ID_CARD(),
      HUKOU(),
      mat('近期二寸免冠彩色照片', 'Recent 2-inch colour photos, bareheaded', 3, false),
      mat('指定医疗机构残疾评定表', 'Assessment form from a designated hospital', 1, true),
    ],
    steps: [
      t('到社区服务站提出申请并领取评定表', 'Apply at the community office and take the assessment form'),
      t('到指定医疗机构进行残疾评定', 'Have the assessment at a designated hospital'),
      t('区残联审核', 'The district disabled persons’ federation reviews'),
      t('制证后到社区服务站领取', 'Collect the certificate at the community office'),
    ],
    timeLimit: t('评定结果出具后20个工作日内', 'Within 20 working days after the assessment'),
    fee: FREE,
    bookable: true,
    order: 10,
  },
  {
    categoryId: 'disability',
    name: t(
      '困难残疾人生活补贴和重度残疾人护理补贴',
      'Living and care allowances for people with disabilities',
    ),
    legalBasis: t(
      '《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）。',
      'State Council opinion on living allowances for disabled people in hardship and care allowances for the severely disabled (Guo Fa [2015] No. 52).',
    ),
    covers: t(
      '持有第二代残疾人证的低保家庭残疾人可申领生活补贴；残疾等级为一、二级的可申领护理补贴。',
      'Holders of the second-generation certificate in dibao households may receive the living allowance; those with grade 1 or 2 disabilities the care allowance.',
    ),
    materials: [
      mat('残疾人证', 'Disability certificate', 1, true),
      ID_CARD(),
      mat('本人银行卡或社会保障卡', 'Your bank or social security card', 1, true),
    ],
    steps: [
      t('到社区服务站提交申请', 'Apply at the community office'),
      t('街道审核', 'The street office reviews'),
      t('区民政局、区残联审定后按月发放', 'After approval by the district, paid monthly'),
    ],
    timeLimit: t('20个工作日内', 'Within 20 working days'),
    fee: FREE,
    bookable: false,
    order: 20,
  },
];
